export * from './kernel/index.ts';
export * from './machine/index.ts';
export * from './scenarios/index.ts';
export * from './lessons/index.ts';
