// `node dist/main.js [--dev]`: reads the environment, starts the service, prints one line saying where it answers,
// and stops cleanly on SIGINT / SIGTERM. A configuration problem exits 1 naming the variables, never their values.
import { SdkError } from "@sdk/core";
import { loadServiceConfig, ServiceConfigError } from "./service-config.js";
import { startService } from "./start-service.js";

try {
  const config = loadServiceConfig(process.env, { dev: process.argv.includes("--dev") });
  const service = await startService(config);
  const mode = service.emulators
    ? `dev mode: emulators at ${service.emulators.atlassian.url} (Atlassian), ${service.emulators.slack.url} (Slack), ${service.emulators.sentry.url} (Sentry)`
    : "providers from the environment";
  const behind = service.localUrl === service.url ? "" : ` (bound to ${service.localUrl})`;
  console.log(`express-service listening at ${service.url}/connections${behind} (${service.stores}; ${mode})`);
  const stop = () => {
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (error) {
  console.error(`express-service failed to start: ${describeStartFailure(error)}`);
  process.exitCode = 1;
}

/** A driver's message may quote a connection string with its password: show the SDK's message or a system code only. */
function describeStartFailure(error: unknown): string {
  if (error instanceof ServiceConfigError || SdkError.is(error)) return error.message;
  const code = (error as { code?: unknown })?.code;
  const name = error instanceof Error ? error.name : "unknown error";
  return typeof code === "string" && /^[A-Z_]+$/.test(code) ? `${name} (${code})` : name;
}
