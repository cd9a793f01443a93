import { createHash } from 'crypto';

/** Object ids in git's SHA-256 object format (`git init --object-format=sha256`). */

export type TreeEntryMode = '100644' | '100755' | '120000' | '40000';

export interface TreeEntry {
    readonly mode: TreeEntryMode;
    readonly name: string;
    /** 32-byte object id. */
    readonly id: Buffer;
}

function objectId(type: 'blob' | 'tree', body: Buffer): Buffer {
    return createHash('sha256')
        .update(`${type} ${body.length}\0`)
        .update(body)
        .digest();
}

export function blobId(content: Buffer): Buffer {
    return objectId('blob', content);
}

/** Git orders entries by name bytes, a directory's name compared as if it ended in '/'. */
function sortKey(entry: TreeEntry): Buffer {
    return Buffer.from(entry.mode === '40000' ? `${entry.name}/` : entry.name, 'utf8');
}

export function treeId(entries: readonly TreeEntry[]): Buffer {
    const sorted = [...entries].sort((a, b) => Buffer.compare(sortKey(a), sortKey(b)));
    const body = Buffer.concat(
        sorted.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`, 'utf8'), e.id]),
    );
    return objectId('tree', body);
}
