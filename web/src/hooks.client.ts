// Client hooks: the first of the app's own modules to run, before any page or layout loads.
//
// zod compiles object schemas with `new Function` where it may, and finds out whether it may by
// calling `Function('')` as each schema is made. The Content-Security-Policy allows no eval, so
// that probe would be a policy violation on every page load. Jitless parsing never makes it
// (and parses the same); it must be set before any schema exists, hence here.
import { z } from 'zod';

z.config({ jitless: true });
