export * from './secret-store.js';
export * from './local-secret-store.js';
export * from './from-env.js';
export * from './google-secret-store.js';
