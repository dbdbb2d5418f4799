/**
 * Where a deploy's time went, from the stack's own events (nested stacks
 * included): how long the engine took from the stack's CREATE_IN_PROGRESS to
 * its CREATE_COMPLETE, and each resource from its CREATE_IN_PROGRESS to its
 * CREATE_COMPLETE — the slow ones are the critical path's suspects.
 */
import { DescribeStackEventsCommand, type CloudFormationClient, type StackEvent } from '@aws-sdk/client-cloudformation';

export interface ResourceTiming {
  /** Logical ID, prefixed by its nested stack's: `ConfigHelperStack/AddConfigSetting`. */
  path: string;
  type: string;
  /** From the root stack's CREATE_IN_PROGRESS. */
  startMs: number;
  durationMs: number;
}

export interface StackTimeline {
  /** Root stack CREATE_IN_PROGRESS → CREATE_COMPLETE. */
  engineMs: number;
  resources: ResourceTiming[];
}

export async function stackTimeline(cfn: CloudFormationClient, stackName: string): Promise<StackTimeline> {
  const resources: ResourceTiming[] = [];
  const rootEvents = await allEvents(cfn, stackName);
  const rootStart = timeOf(rootEvents, (e) => e.ResourceType === 'AWS::CloudFormation::Stack' && e.LogicalResourceId === stackName && e.ResourceStatus === 'CREATE_IN_PROGRESS', Math.min);
  const rootEnd = timeOf(rootEvents, (e) => e.LogicalResourceId === stackName && e.ResourceStatus === 'CREATE_COMPLETE', Math.max);

  const visit = async (events: StackEvent[], prefix: string, ownId: string | undefined) => {
    const byResource = new Map<string, StackEvent[]>();
    for (const event of events) {
      if (!event.LogicalResourceId || event.PhysicalResourceId === ownId || event.LogicalResourceId === stackName) continue;
      const list = byResource.get(event.LogicalResourceId) ?? [];
      list.push(event);
      byResource.set(event.LogicalResourceId, list);
    }
    for (const [logicalId, list] of byResource) {
      const start = timeOf(list, (e) => e.ResourceStatus === 'CREATE_IN_PROGRESS', Math.min);
      const end = timeOf(list, (e) => e.ResourceStatus === 'CREATE_COMPLETE', Math.max);
      const type = list[0]?.ResourceType ?? '?';
      if (Number.isFinite(start) && Number.isFinite(end)) {
        resources.push({ path: `${prefix}${logicalId}`, type, startMs: start - rootStart, durationMs: end - start });
      }
      const nestedId = list.find((e) => type === 'AWS::CloudFormation::Stack' && e.PhysicalResourceId)?.PhysicalResourceId;
      if (nestedId) await visit(await allEvents(cfn, nestedId), `${prefix}${logicalId}/`, nestedId);
    }
  };
  await visit(rootEvents, '', undefined);
  resources.sort((a, b) => b.durationMs - a.durationMs);
  return { engineMs: rootEnd - rootStart, resources };
}

async function allEvents(cfn: CloudFormationClient, stackName: string): Promise<StackEvent[]> {
  const events: StackEvent[] = [];
  let token: string | undefined;
  do {
    const page = await cfn.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken: token }));
    events.push(...(page.StackEvents ?? []));
    token = page.NextToken;
  } while (token);
  return events;
}

function timeOf(events: StackEvent[], match: (e: StackEvent) => boolean, pick: (a: number, b: number) => number): number {
  const times = events.filter(match).map((e) => e.Timestamp?.getTime() ?? Number.NaN).filter(Number.isFinite);
  return times.length ? times.reduce(pick) : Number.NaN;
}
