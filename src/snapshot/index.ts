/** Captured pagemap snapshots: the file format, its writer and its loader. Re-exports only. */
export {
  SNAPSHOT_FORMAT, SNAPSHOT_VERSION, PAGE_FIELDS, MAX_SNAPSHOT_PAGES, PAGE_SIZE, SnapshotWriter,
  type PageField, type Snapshot, type SnapshotVma, type SnapshotHead, type SnapshotTail, type SnapshotKernel, type SnapshotConfig, type MapsVma,
} from './format.ts';
export {
  parseSnapshot, snapshotRecord, snapshotKpageflags, snapshotPageAddress, snapshotKernel, formatSnapshot, type ParseSnapshotResult,
} from './parse.ts';
export { toBase64, fromBase64Into, base64ByteLength } from './base64.ts';
