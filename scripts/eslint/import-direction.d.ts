import type { Rule } from 'eslint'

/** Which folders of src/ each folder may import (its own is always allowed). */
export declare const LAYERS: Record<string, readonly string[]>
/** Files that reach further by design, with the extra folders each may import. */
export declare const EXCEPTIONS: Record<string, readonly string[]>
export declare const importDirection: Rule.RuleModule
