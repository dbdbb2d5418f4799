/** Waits for a stack operation to settle while printing its events live. */
import type { CloudFormationClient, Stack } from '@aws-sdk/client-cloudformation';
import type { Reporter } from '../support/terminal.js';
import { StackEventWatcher, formatEvent, type WatchedEvent } from './stack-events.js';
import { describeStack, isInProgress, sleep } from './stacks.js';
import { UserError } from '../support/errors.js';

/** How often stack events are polled on a local target: a local stack changes within milliseconds, and every poll adds its interval to what the user waits for. */
export const LOCAL_POLL_INTERVAL_MS = 50;

export interface FollowOptions {
  pollIntervalMs: number;
  timeoutMs: number;
  reporter: Reporter;
}

export interface FollowResult {
  /** The stack as it settled; undefined once a deleted stack is gone from the API. */
  stack: Stack | undefined;
  status: string;
  events: WatchedEvent[];
}

export async function watchStack(cfn: CloudFormationClient, stackId: string, reporter: Reporter): Promise<StackEventWatcher> {
  return StackEventWatcher.start(cfn, stackId, (event) => reporter.info(formatEvent(event, reporter.paint)));
}

/** Polls until the stack leaves every *_IN_PROGRESS state. */
export async function followOperation(
  cfn: CloudFormationClient,
  stackId: string,
  watcher: StackEventWatcher,
  options: FollowOptions,
): Promise<FollowResult> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    await watcher.poll();
    const stack = await describeStack(cfn, stackId);
    const status = stack?.StackStatus ?? 'DELETE_COMPLETE';
    if (!isInProgress(status)) {
      await watcher.poll(); // events written between the last poll and the final status
      return { stack, status, events: watcher.events };
    }
    if (Date.now() > deadline) {
      throw new UserError(
        `stack ${stack?.StackName ?? stackId} is still ${status} after ${Math.round(options.timeoutMs / 60_000)} min; it goes on in the background — check it with: aws cloudformation describe-stack-events --stack-name ${stack?.StackName ?? stackId}`,
      );
    }
    await sleep(options.pollIntervalMs);
  }
}
