// The functions a module exports, named as Firebase names them: an exported object is a group
// whose members deploy as `group-member` (`chatBy-openai`), the way firebase-functions' loader
// walks the entry point.
import type { HttpFunction } from './http-host.js';

export function exportedFunctions(
  module: Record<string, unknown>,
  prefix = '',
): Record<string, HttpFunction> {
  const functions: Record<string, HttpFunction> = {};
  for (const [name, value] of Object.entries(module)) {
    // Each export is an HTTP handler; firebase-functions types it against its own Express types.
    if (typeof value === 'function') functions[prefix + name] = value as HttpFunction;
    else if (typeof value === 'object' && value !== null) {
      Object.assign(
        functions,
        exportedFunctions(value as Record<string, unknown>, `${prefix}${name}-`),
      );
    }
  }
  return functions;
}
