import { Message } from '@ton/core';
import { ChainClient, SentMessage } from '../../offchain/chain/client';
import { ChainUnavailableError } from '../../offchain/chain/errors';

/**
 * A ChainClient with a bad connection: its first `drop` sends are lost on the way (the API never sees them), and
 * the answers to the next `loseAnswers` sends are lost on the way back (the message arrives, the caller gets an
 * error).
 */
export class LossyClient extends ChainClient {
    sent = 0;
    constructor(
        endpoint: string,
        private drop: number,
        private loseAnswers = 0,
    ) {
        super(endpoint);
    }

    override async sendMessage(message: Message): Promise<SentMessage> {
        this.sent++;
        if (this.drop > 0) {
            this.drop--;
            return { hash: Buffer.alloc(32), hashNorm: Buffer.alloc(32) };
        }
        const sent = await super.sendMessage(message);
        if (this.loseAnswers > 0) {
            this.loseAnswers--;
            throw new ChainUnavailableError('sendBocReturnHash', 1, 'connection reset');
        }
        return sent;
    }
}
