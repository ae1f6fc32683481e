/** The share-link codec: versioned, validated, never trusts its input. Re-exports only. */
export {
  LINK_VERSION, encodeLink, decodeLink, checkLinkReplays, checkLinkSelection, builtinOf,
  type LinkView, type LinkState, type LinkLesson, type DecodeLinkResult, type ReplayCheck,
} from './link.ts';
export { MAX_LINK_CHARS } from './params.ts';
export { MAX_INFLATED_BYTES } from './pack.ts';
export type { Panel } from './tokens.ts';
