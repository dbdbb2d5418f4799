/**
 * The CloudFormation service: the query API, the stack engine and the
 * resource providers, wired together. Providers for each service's types live
 * in that service's folder (`services/<svc>/cloudformation.ts`).
 */
import type { CloudContext, ServiceProvider } from '../../core/types.js';
import type { SsmProvider } from '../ssm/index.js';
import { queryProtocol } from '../../protocols/query.js';
import { cloudFormationOperations } from './api.js';
import { cdkMetadataProvider } from './cdk-metadata.js';
import { ChangeSetService } from './change-sets.js';
import { CustomResourceBroker, RESPONSE_PATH_PREFIX } from './custom-resource-broker.js';
import { customResourceProvider } from './custom-resource.js';
import { CustomResourceEnvironments, type EnvironmentReleaser } from './custom-resource-environments.js';
import { StackDeployer } from './deployer.js';
import { EventRecorder } from './events.js';
import { nestedStackProvider } from './nested-stack.js';
import { ProviderRegistry, serviceProviders } from './registry.js';
import { StackService } from './stack-service.js';
import { StackStore } from './store.js';
import { TemplateLoader } from './template-source.js';

export const CLOUDFORMATION_XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export interface CloudFormationService extends ServiceProvider {
  /** Resource types: tests may register extra ones. */
  readonly registry: ProviderRegistry;
  readonly store: StackStore;
  /** Resolves when the stack's running operation, if any, has finished. */
  settled(stackId: string): Promise<void>;
  /** The engine, for tests that need to reach into it (e.g. to shorten TimeoutInMinutes' minute). */
  readonly deployer: StackDeployer;
}

export function createCloudFormationService(ctx: CloudContext): CloudFormationService {
  const store = new StackStore(ctx.stateDir);
  const events = new EventRecorder(store);
  const registry = new ProviderRegistry(serviceProviders());
  const broker = new CustomResourceBroker(() => ctx.endpoint);
  const customResourceEnvironments = new CustomResourceEnvironments(() => ctx.service<ServiceProvider & Partial<EnvironmentReleaser>>('lambda'));
  registry.register(customResourceProvider(broker, customResourceEnvironments));
  registry.register(cdkMetadataProvider());
  const deployer = new StackDeployer(ctx, store, events, registry);
  deployer.onOperationSettled = (stackId) => customResourceEnvironments.operationSettled(stackId);
  const loader = new TemplateLoader(ctx);
  const parameterStore = (accountId: string, region: string, selector: string) => ctx.service<SsmProvider>('ssm')?.lookup(accountId, region, selector);
  const stacks = new StackService(store, deployer, events, registry, loader, parameterStore);
  registry.register(nestedStackProvider(stacks, store));
  const changeSets = new ChangeSetService(store, stacks, deployer, events, registry, loader);
  const operations = cloudFormationOperations({ store, stacks, changeSets, registry, loader });
  const handleQuery = queryProtocol({
    xmlns: CLOUDFORMATION_XMLNS,
    operations,
    listParameters: ['Parameters', 'Capabilities', 'Tags', 'NotificationARNs', 'ResourceTypes', 'RetainResources', 'StackStatusFilter', 'ResourcesToSkip'],
  });

  return {
    name: 'cloudformation',
    routes: {
      signingNames: ['cloudformation'],
      // Custom resources PUT their answers here (see custom-resource-broker.ts).
      pathPrefixes: [RESPONSE_PATH_PREFIX],
      queryActions: Object.keys(operations),
    },
    registry,
    store,
    deployer,
    settled: (stackId) => deployer.settled(stackId),
    async start() {
      deployer.settleInterrupted();
    },
    async stop() {
      // Running operations give up (their waits end, nothing new starts) and get a moment to record
      // it; whatever is still IN_PROGRESS on disk after that is settled at the next start.
      deployer.cancelAll();
      await Promise.race([deployer.idle(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      deployer.steps.destroyClients();
      loader.close();
      store.close();
    },
    async handle(req) {
      if (req.path.startsWith(RESPONSE_PATH_PREFIX)) return broker.handle(req);
      return handleQuery(req);
    },
  };
}
