/**
 * Custom-resource functions are called during a deploy and then, usually,
 * not again until the next one; Lambda would keep each of their warm
 * execution environments (a Node process of about 60 MB) for its idle
 * timeout. So CloudFormation remembers which functions served custom
 * resources during a stack's operation and, once that operation settles,
 * asks Lambda to stop their environments as they become idle. The next
 * custom-resource call simply starts a new environment, as after any cold
 * start on AWS.
 */

/** What Lambda offers for this (LambdaProvider.releaseEnvironments). */
export interface EnvironmentReleaser {
  releaseEnvironments(functionArn: string): void;
}

export class CustomResourceEnvironments {
  /** Per stack ID: the ServiceToken functions invoked by its running operation. */
  private readonly invoked = new Map<string, Set<string>>();

  constructor(
    /** Lambda, when it is running (looked up late: services start after CloudFormation is created). */
    private readonly lambda: () => Partial<EnvironmentReleaser> | undefined,
  ) {}

  /** A custom resource of `stackId` invoked `functionArn`. */
  served(stackId: string, functionArn: string): void {
    let functions = this.invoked.get(stackId);
    if (!functions) this.invoked.set(stackId, (functions = new Set()));
    functions.add(functionArn);
  }

  /** The stack's operation has settled: its custom-resource functions' environments may go. */
  operationSettled(stackId: string): void {
    const functions = this.invoked.get(stackId);
    this.invoked.delete(stackId);
    if (!functions) return;
    const lambda = this.lambda();
    for (const functionArn of functions) lambda?.releaseEnvironments?.(functionArn);
  }
}
