/** The real runtime against kafkasim's gateway, started in-process on OS-assigned ports. */
import { gatewayCluster } from './support/clusters.ts';
import { TOPICS, clusterScenarios } from './support/scenarios.ts';

clusterScenarios('the kafkasim gateway', () => gatewayCluster(TOPICS), { partitions: 3, controllerKnown: true });
