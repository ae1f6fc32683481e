export * from './timeline.ts';
export * from './options.ts';
export * from './edit.ts';
export * from './rows.ts';
export * from './decoded.ts';
export * from './pfn.ts';
export * from './pmd.ts';
