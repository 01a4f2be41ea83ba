export * from './chat.js';
export * from './roles.js';
export * from './token.js';
export * from './validation.js';
export * from './runtime-config.js';
export * from './conversations.js';
export * from './usage.js';
export * from './models.js';
