/** COCOON's exit codes (contracts/errors.tact), numbered as in the reference contracts. */
export const ExitCode = {
    OldMessage: 1000,
    LowSmcBalance: 1001,
    LowMsgValue: 1003,
    MsgFormatMismatch: 1004,
    SignedMsgFormatMismatch: 1005,
    Closed: 1006,
    BadSignature: 1007,
    StoredDataDamaged: 1008,
    ExpectedOwner: 1009,
    ExpectedMessageFromOwner: 1010,
    NotUnlockedYet: 1011,
    UnknownOp: 1012,
    UnknownTextOp: 1013,
    ContractAddressMismatch: 1014,
    ExpectedMyAddress: 1015,
    UnknownProxyType: 2000,
    WalletExpired: 1030,
    WalletBlocked: 1031,
    WalletBadSeqno: 1032,
    WalletBadSubwallet: 1033,
    WalletBadSignature: 1034,
    WalletLowBalance: 1035,
    /** Not COCOON's: a send mode the action phase would refuse (bit 4 or 8, or 64 with 128). */
    WalletBadMode: 1036,
    WalletNotOwner: 1040,
    WalletUnknownOp: 1041,
    /** TVM: integer out of range (a negative reserve when the proxy lacks funds, a negative Coins store). */
    RangeCheck: 5,
    /** TVM: cell underflow (missing fields). */
    CellUnderflow: 9,
} as const;
