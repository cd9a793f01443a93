import { Address } from '@ton/core';
import { UIProvider } from '@ton/blueprint';

/** A UIProvider that answers prompts from a script and records what was asked and written. */
export class ScriptedUi implements UIProvider {
    readonly asked: string[] = [];
    readonly written: string[] = [];

    constructor(private readonly answers: string[]) {}

    private answer(message: string): string {
        this.asked.push(message);
        const a = this.answers.shift();
        if (a === undefined) {
            throw new Error(`unexpected prompt: ${message}`);
        }
        return a;
    }

    write(message: string): void {
        this.written.push(message);
    }
    async prompt(message: string): Promise<boolean> {
        return ['y', 'yes', 'true'].includes(this.answer(message));
    }
    async inputAddress(message: string): Promise<Address> {
        return Address.parse(this.answer(message));
    }
    async input(message: string): Promise<string> {
        return this.answer(message);
    }
    async choose<T>(message: string, choices: T[], display: (v: T) => string): Promise<T> {
        const a = this.answer(message);
        const c = choices.find((x) => display(x) === a);
        if (c === undefined) {
            throw new Error(`scripted answer ${a} is not a choice of ${message}`);
        }
        return c;
    }
    setActionPrompt(): void {}
    clearActionPrompt(): void {}

    /** Everything written, one line per call. */
    output(): string {
        return this.written.join('\n');
    }
}

export function scriptedUi(answers: string[]): ScriptedUi {
    return new ScriptedUi(answers);
}
