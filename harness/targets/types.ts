/**
 * A target is where the stack goes: our embedded cloud, LocalStack, any other
 * AWS-compatible endpoint, or real AWS. Everything above this interface (deploy,
 * destroy, simulator, e2e tests) is one code path for all four.
 */

/** Static credentials, as every SDK v3 client accepts them. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const TARGET_NAMES = ['embedded', 'localstack', 'endpoint', 'aws'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface TargetSettings {
  region: string;
  /** embedded / localstack: the edge port on 127.0.0.1. */
  port: number;
  host: string;
  /** endpoint: the URL of the AWS-compatible endpoint. */
  endpointUrl?: string;
  /** embedded: persist state here; undefined keeps it in memory. */
  stateDir?: string;
  /** embedded: where the cloud's own diagnostics go (default: dropped unless DEBUG=1). */
  cloudLog?: (message: string) => void;
  /** localstack: the image to run. */
  localstackImage: string;
  /** localstack: how to run it — docker compose (`up`) or testcontainers (e2e). */
  localstackRunner: 'compose' | 'testcontainers';
}

/** A live connection to a target: what SDK clients need, and how to let go of it. */
export interface Connection {
  target: TargetName;
  /**
   * Endpoint for every SDK client, or undefined to let the SDK resolve it
   * itself (real AWS, or whatever AWS_ENDPOINT_URL says).
   */
  endpoint?: string;
  region: string;
  /** Administrator credentials; undefined means the SDK's standard credential chain. */
  credentials?: Credentials;
  /** The account of the admin credentials, when the target already looked it up. */
  accountId?: string;
  /** Local targets share fixed default names (code bucket); AWS names must be globally unique. */
  local: boolean;
  /** One line for humans: what this is and whether we started it. */
  description: string;
  /** True when this process started the cloud (and so stops it); false when it reused one. */
  owned: boolean;
  /**
   * Lets web pages of these origins call the cloud from a browser (the test page,
   * once its port is known). Only on clouds this process started; others must be
   * told at their start (`--allow-origin`, LOCALCLOUD_ALLOWED_ORIGINS).
   */
  allowBrowserOrigins?(origins: string[]): void;
  /**
   * Lambda debug mode (function name → 127.0.0.1 port): only on an embedded
   * cloud this process started; others must be told at their start
   * (`--debug-function`, LOCALCLOUD_DEBUG_FUNCTIONS).
   */
  debugFunctions?(ports: Record<string, number>): Promise<void>;
  /** Stops what this connection started; a no-op for reused clouds and real AWS. */
  stop(): Promise<void>;
}

export interface Target {
  name: TargetName;
  /** Checks the preconditions (Docker, credentials, port) and connects, starting the cloud if needed. */
  connect(settings: TargetSettings): Promise<Connection>;
}

/** Credentials any local cloud accepts. */
export const LOCAL_CREDENTIALS: Credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
