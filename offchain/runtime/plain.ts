/**
 * Whether `v` is an object literal (or has a null prototype). The test looks at the prototype chain's shape, not at
 * `Object.prototype` itself, so objects from another realm (jest's sandbox, structuredClone) qualify too.
 */
export function isPlainObject(v: object): boolean {
    const proto = Object.getPrototypeOf(v);
    return !Array.isArray(v) && (proto === null || Object.getPrototypeOf(proto) === null);
}
