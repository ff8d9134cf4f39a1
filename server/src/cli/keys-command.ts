import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Option, type Command } from "commander";
import { ApiKeyRole, type ApiKey } from "@posthorn/sdk";
import { ApiKeySchema, CreateApiKeyResponseSchema, RevokeApiKeyResponseSchema } from "@posthorn/proto";
import { generateApiKey } from "../domain/api-key.js";
import { ID_PREFIX } from "../domain/ids.js";
import { messageJson, printJsonDocument } from "./json-output.js";
import { addAddressOption, addJsonOption, print, UsageError, withClient, type ConnectionOptions } from "./cli-support.js";
import { formatTable, formatTime } from "./format-table.js";
import { collectPages } from "./paginate.js";
import { parseDuration, parseList } from "./parse-input.js";
import { API_KEY_ROLES, type ApiKeyRoleName } from "../domain/api-key-role.js";
import { ROLE_TO_PROTO } from "../api/proto-enums.js";
import { roleName } from "./enum-names.js";

/**
 * `posthorn keys create | list | revoke | generate`: API key management (admin keys only, see
 * the proto's `ApiKeyRole`). `generate` makes a key locally, for POSTHORN_BOOTSTRAP_ADMIN_KEY.
 */
export function registerKeysCommand(program: Command): void {
  const keys = program.command("keys").description("manage API keys: create, list, revoke (admin key needed), or generate one locally");
  registerCreate(keys);
  registerList(keys);
  registerRevoke(keys);
  keys
    .command("generate")
    .description("print a new random API key (phk_…) without calling a server, e.g. for POSTHORN_BOOTSTRAP_ADMIN_KEY")
    .action(() => print(generateApiKey()));
}

interface CreateOptions extends ConnectionOptions {
  name: string;
  role: string;
  customer?: string;
  emitCustomer: string[];
  expiresIn?: string;
  json?: boolean;
}

function registerCreate(keys: Command): void {
  const command = keys
    .command("create")
    .description("issue an API key; prints the key once (it is never shown again)")
    .requiredOption("--name <name>", "free text for people, e.g. \"billing service\"")
    .addOption(new Option("--role <role>", "what the key may do").choices(API_KEY_ROLES).makeOptionMandatory())
    .option("--customer <id>", "role customer: the customer the key is bound to (required for it)")
    .addOption(
      new Option("--emit-customer <ids>", "role emitter: a customer it may emit for (repeatable, or a comma-separated list)")
        .argParser((value: string, previous: string[]) => [...previous, ...parseList(value)])
        .default([], "any customer"),
    )
    .option("--expires-in <duration>", "the key stops working after this long: 3600s, 90m, 12h, 30d (default never)");
  addJsonOption(addAddressOption(command)).action(async (options: CreateOptions) => {
    const request = createRequest(options);
    await withClient(options, async (client) => {
      const response = await client.createApiKey(request);
      if (options.json) return printJsonDocument(messageJson(CreateApiKeyResponseSchema, response));
      const key = response.apiKey!;
      print(`Created ${key.id} "${key.name}": ${scopeOf(key)}, expires ${key.expireTime ? `${formatTime(key.expireTime)} UTC` : "never"}.`);
      print(`Key: ${response.key}`);
      print("Store it now: it will not be shown again. Callers send it as `authorization: Bearer <key>` (the CLI: POSTHORN_API_KEY).");
    });
  });
}

/** The CreateApiKey request for the flags; UsageError for a combination the server would refuse. */
function createRequest(options: CreateOptions) {
  const role = ROLE_TO_PROTO[options.role as ApiKeyRoleName]; // commander allowed only API_KEY_ROLES
  if (role === ApiKeyRole.CUSTOMER && (options.customer === undefined || options.customer === "")) {
    throw new UsageError("--customer: required with --role customer (the customer the key is bound to, e.g. --customer cus_demo)");
  }
  if (role !== ApiKeyRole.CUSTOMER && options.customer !== undefined) {
    throw new UsageError(`--customer: only --role customer keys are bound to a customer; drop it for --role ${options.role} (an emitter may be limited with --emit-customer)`);
  }
  if (role !== ApiKeyRole.EMITTER && options.emitCustomer.length > 0) {
    throw new UsageError(`--emit-customer: only --role emitter keys are limited to customers; drop it for --role ${options.role}`);
  }
  const expiresIn = options.expiresIn === undefined ? undefined : parseDuration("--expires-in", options.expiresIn);
  return {
    name: options.name,
    role,
    customerId: options.customer ?? "",
    emitCustomerIds: options.emitCustomer,
    ...(expiresIn === undefined ? {} : { expireTime: timestampFromMs(Date.now() + expiresIn * 1000) }),
  };
}

function registerList(keys: Command): void {
  const command = keys
    .command("list")
    .description("list API keys, oldest first (never the keys themselves; their first characters)")
    .option("--all", "include revoked keys");
  addJsonOption(addAddressOption(command)).action(async (options: { all?: boolean; json?: boolean } & ConnectionOptions) =>
    withClient(options, async (client) => {
      const { items } = await collectPages<ApiKey>(Number.MAX_SAFE_INTEGER, async (pageToken, pageSize) => {
        const page = await client.listApiKeys({ showRevoked: options.all === true, pageToken, pageSize });
        return { items: page.apiKeys, nextPageToken: page.nextPageToken };
      });
      if (options.json) return printJsonDocument(items.map((k) => messageJson(ApiKeySchema, k)));
      if (items.length === 0) return print(options.all ? "No API keys." : "No API keys that are not revoked (--all shows revoked ones).");
      print(
        formatTable(
          ["ID", "NAME", "ROLE", "CUSTOMER", "PREFIX", "CREATED (UTC)", "EXPIRES", "LAST USED", "REVOKED"],
          items.map((k) => [
            k.id,
            k.name,
            roleName(k.role),
            customersOf(k),
            `${k.keyPrefix}…`,
            formatTime(k.createTime),
            k.expireTime ? formatTime(k.expireTime) : "never",
            k.lastUseTime ? formatTime(k.lastUseTime) : "never",
            formatTime(k.revokeTime),
          ]),
        ),
      );
    }),
  );
}

function registerRevoke(keys: Command): void {
  const command = keys
    .command("revoke")
    .description("revoke an API key: its next call is refused, in every server process")
    .argument("<key-id>", `key id, ${ID_PREFIX.apiKey}… (see \`posthorn keys list\`)`);
  addJsonOption(addAddressOption(command)).action(async (id: string, options: { json?: boolean } & ConnectionOptions) =>
    withClient(options, async (client) => {
      const response = await client.revokeApiKey({ id });
      // --json: the RevokeApiKeyResponse, `{"apiKey": {…}}` with `revokeTime` set.
      if (options.json) return printJsonDocument(messageJson(RevokeApiKeyResponseSchema, response));
      const { apiKey } = response;
      print(`Revoked ${apiKey!.id} "${apiKey!.name}" (${apiKey!.keyPrefix}…) at ${formatTime(apiKey!.revokeTime)} UTC; calls with it are refused.`);
    }),
  );
}

/** The CUSTOMER column: a customer key's customer, an emitter's customers (`any` when not limited), `-` for admin. */
function customersOf(key: ApiKey): string {
  if (key.role === ApiKeyRole.CUSTOMER) return key.customerId;
  if (key.role === ApiKeyRole.EMITTER) return key.emitCustomerIds.length > 0 ? key.emitCustomerIds.join(",") : "any";
  return "-";
}

/** `admin`, `customer cus_a`, `emitter for any customer`, `emitter for cus_a, cus_b`. */
function scopeOf(key: ApiKey): string {
  if (key.role === ApiKeyRole.CUSTOMER) return `customer ${key.customerId}`;
  if (key.role === ApiKeyRole.EMITTER) return `emitter for ${key.emitCustomerIds.length > 0 ? key.emitCustomerIds.join(", ") : "any customer"}`;
  return roleName(key.role);
}
