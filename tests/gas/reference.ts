/**
 * Compute-phase gas of COCOON's reference FunC contracts in the receiving contract (median of successful
 * transactions, measured in the sandbox; `../shared/spec/onchain.md`, "Gas budget").
 * Where the reference gives a range for a group of ops, each op of the group is held to the upper bound.
 */
export const REFERENCE_GAS = {
    ext_client_top_up: 8853,
    ext_client_charge_signed: 15937,
    ext_client_grant_refund_signed: 15266,
    owner_client_register: 11318,
    owner_client_change_secret_hash: 11603,
    owner_client_increase_stake: 11857,
    owner_client_withdraw: 10577,
    owner_client_request_refund: 12537,
    client_proxy_request_top_up: 15092,
    client_proxy_request_refund_granted: 15092,
    client_proxy_request_refund_force: 15092,
    worker_proxy_request_payout: 13149,
    ext_proxy_payout_request: 7535,
    ext_proxy_increase_stake: 6438,
    owner_proxy_close: 8866,
    ext_proxy_close_request_signed: 10076,
    ext_proxy_close_complete_request_signed: 8960,
    ext_worker_payout_request_signed: 9401,
    ext_worker_last_payout_request_signed: 9460,
    owner_worker_register: 6486,
    root_add_worker_type: 5371,
    root_del_worker_type: 5371,
    root_add_model_type: 5371,
    root_del_model_type: 5371,
    root_add_proxy_type: 5371,
    root_del_proxy_type: 5371,
    root_register_proxy: 5371,
    root_unregister_proxy: 5371,
    root_update_proxy: 5371,
    root_change_price: 5371,
    root_change_params: 5371,
    root_change_owner: 5371,
    owner_wallet_send_message: 2513,
} as const;

export type GasOp = keyof typeof REFERENCE_GAS;

/** Tests fail when an op uses more than this multiple of its reference figure (issue 11: 1.10), root ops included. */
export const GAS_LIMIT_RATIO = 1.1;

/**
 * A scenario measures one op: it runs the op in a fresh sandbox and returns the compute-phase gas of the
 * receiving contract's successful transaction(s). Scenario files are `tests/gas/*.scenarios.ts`, each exporting
 * `scenarios: GasScenario[]`; `npm run gas` and `tests/gas/gas.spec.ts` run them all.
 */
export interface GasScenario {
    op: GasOp;
    /** What exactly is measured, when one op has several shapes (e.g. which payload). */
    note?: string;
    run: () => Promise<bigint[]>;
}
