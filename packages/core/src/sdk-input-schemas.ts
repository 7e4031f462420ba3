// The zod schemas of the SDK methods' inputs (the types callers write are in sdk-inputs.ts). The facade parses every
// input through one of these with `parseInput` before anything reaches a provider, a store or the cache, so a bad
// input is `validation_failed` naming the field and nothing is written. Each is built on first use (see lazy-zod.ts).
import { scanFilterShape } from "./connection-scan.js";
import { AUTH_TYPES } from "./integration.js";
import { lazySchema } from "./lazy-zod.js";
import { idSchema, jsonRecordSchema, providerIdSchema, scopeSchema } from "./schemas.js";

export const installUrlSchema = lazySchema((z) =>
  z
    .object({
      provider: providerIdSchema(),
      user_id: idSchema(),
      account_id: idSchema().optional(),
      created_by: idSchema().optional(),
      scopes: z.array(scopeSchema()).max(100).optional(),
      browser_binding: z.string().min(16).max(512).optional(),
    })
    .loose(),
);

export const callbackSchema = lazySchema((z) =>
  z
    .object({
      provider: providerIdSchema(),
      code: z.string().min(1).max(4096).optional(),
      // No length cap here: an over-long state is the provider's `state_malformed` (with its state.rejected event),
      // like every other bad state, not a validation error that skips the event.
      state: z.string().optional(),
      browser_binding: z.string().max(8192).optional(),
      error: z.string().max(256).optional(),
      error_description: z.string().max(2048).optional(),
    })
    .loose(),
);

export const siteSelectionSchema = lazySchema((z) =>
  z.strictObject({
    selection_id: z.string().min(3).max(256).regex(/^[a-z][a-z0-9_-]*\.[\w-]+$/, "must be a selection_id returned by the callback"),
    cloud_id: idSchema(),
    browser_binding: z.string().max(8192).optional(),
    user_id: idSchema().optional(),
    account_id: idSchema().optional(),
  }),
);

const pendingInstallIdSchema = lazySchema((z) => z.string().min(3).max(256).regex(/^[a-z][a-z0-9_-]*\.[\w-]+$/, "must be a pending_install_id the SDK returned"));

export const pendingLookupSchema = lazySchema((z) =>
  z.strictObject({
    pending_install_id: pendingInstallIdSchema(),
    browser_binding: z.string().max(8192).optional(),
  }),
);

export const confirmPendingSchema = lazySchema((z) =>
  z.strictObject({
    pending_install_id: pendingInstallIdSchema(),
    browser_binding: z.string().max(8192).optional(),
    user_id: idSchema(),
    account_id: idSchema(),
    created_by: idSchema().optional(),
  }),
);

export const draftSchema = lazySchema((z) =>
  z.strictObject({
    provider: providerIdSchema(),
    account_id: idSchema(),
    created_by: idSchema(),
    auth_type: z.enum(AUTH_TYPES).optional(),
    scopes: z.array(scopeSchema()).max(500).optional(),
    credentials: jsonRecordSchema(),
    metadata: jsonRecordSchema().optional(),
  }),
);

export const listSchema = lazySchema((z) => z.strictObject({ ...scanFilterShape(), account_id: idSchema() }));

export const deleteSchema = lazySchema((z) => z.strictObject({ revoke: z.boolean().optional() }).optional());

export const webhookSchema = lazySchema((z) =>
  z.strictObject({
    provider: providerIdSchema(),
    headers: z.record(z.string().max(256), z.union([z.string().max(8192), z.array(z.string().max(8192)), z.undefined()])),
    body: z.string().max(1024 * 1024),
  }),
);

export const fetchPathSchema = lazySchema((z) => z.string().min(1).max(8192));

export const fetchInitSchema = lazySchema((z) =>
  z
    .custom<RequestInit>((value) => typeof value === "object" && value !== null && !Array.isArray(value), "must be a RequestInit object")
    .optional(),
);
