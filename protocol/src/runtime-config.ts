// What the web app learns at run time from `/runtime-config.json`, beside its static files:
// which Firebase project to use, whether to talk to emulators, where the admin API is. Served
// as a file so one build runs against any stack (local emulators on any ports, or production).
import { z } from 'zod';

export const RuntimeConfig = z.object({
  firebase: z.object({
    apiKey: z.string().min(1),
    authDomain: z.string().min(1),
    projectId: z.string().min(1),
  }),
  /** Cloud Functions region of the callables. */
  region: z.string().min(1),
  adminApiUrl: z.url(),
  emulators: z
    .object({
      auth: z.url(),
      functions: z.object({ host: z.string().min(1), port: z.number().int().positive() }),
    })
    .optional(),
});
export type RuntimeConfig = z.infer<typeof RuntimeConfig>;

export const RUNTIME_CONFIG_PATH = '/runtime-config.json';
