import { Message } from '@ton/core';
import { ChainClient, SentMessage } from '../../offchain/chain/client';

/** A ChainClient whose first `drop` sends are lost on the way (the API never sees them). */
export class LossyClient extends ChainClient {
    sent = 0;
    constructor(
        endpoint: string,
        private drop: number,
    ) {
        super(endpoint);
    }

    override async sendMessage(message: Message): Promise<SentMessage> {
        this.sent++;
        if (this.drop > 0) {
            this.drop--;
            return { hash: Buffer.alloc(32), hashNorm: Buffer.alloc(32) };
        }
        return super.sendMessage(message);
    }
}
