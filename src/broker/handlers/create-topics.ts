/**
 * CreateTopics (API 19), Kafka 2.2 `KafkaApis.handleCreateTopicsRequest` → `AdminManager.createTopics`,
 * through 0.8.2's admin path (`admin/create-topic.ts`: assignment written to ZooKeeper, the
 * controller brings the partitions online).
 *
 * Modelled, per topic, errors as codes with Kafka's messages: NotController (41) unless this
 * broker is the active controller; InvalidRequest (42) for a topic named twice, for partitions or
 * replication factor given with explicit assignments, and for a null config value; InvalidTopic
 * (17); TopicAlreadyExists (36); InvalidPartitions (37) for fewer than 1 partition;
 * InvalidReplicationFactor (38) below 1 or above the registered brokers; InvalidReplicaAssignment
 * (39) for assignments whose partitions are not 0..n-1 or whose replica lists are empty, repeat a
 * broker or differ in length; InvalidConfig (40) for a config kafkasim does not model or cannot
 * parse (`config.ts` TOPIC_CONFIG_KEYS). -1 partitions or replication factor take the broker's
 * `num.partitions`/`default.replication.factor` (v4+). `validateOnly` checks and creates
 * nothing. With `timeoutMs` > 0 the answer waits until this broker's metadata cache has a leader
 * for every new partition, else RequestTimedOut (7) for the topics still without (they exist).
 * Not modelled: authorisation, create-topic policies, Kafka's other LogConfig names.
 */
import type { CreatableTopic, CreateTopicsRequest, CreateTopicsResponse } from '../../protocol/api.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { causeMessage } from '../../sim/errors.ts';
import { AdminOperationError } from '../admin/assign-replicas.ts';
import { createTopic, InvalidTopicNameError, liveBrokers, TopicExistsError, validateTopicName } from '../admin/create-topic.ts';
import { brokerState, type BrokerContext } from '../broker-context.ts';
import { topicOverridesFromProperties, type TopicConfig } from '../config.ts';
import { hasTopic } from '../metadata-cache.ts';
import { partitionKey } from '../state.ts';
import { topicPath } from '../../protocol/zk-paths.ts';
import type { Handler } from './api-context.ts';

type TopicResult = CreateTopicsResponse['topics'][number];

/** How often a CreateTopics with a timeout looks at the metadata cache for the new leaders. */
const LEADER_POLL_MS = 50;

export const handleCreateTopics: Handler<CreateTopicsRequest> = (api, request, channel) => {
  const { ctx } = api;
  const names = request.topics.map((t) => t.name);
  const repeated = new Set(names.filter((name, i) => names.indexOf(name) !== i));
  if (!api.controller.isActive) {
    const errorMessage = 'This is not the correct controller for this cluster.';
    return channel.respond({ api: 'CreateTopics', topics: request.topics.map((t) => ({ name: t.name, errorCode: ErrorCode.NotController, errorMessage })) });
  }
  ctx.env.spawn(`broker-${ctx.brokerId}/create-topics`, async () => {
    const results: TopicResult[] = [];
    const created: { name: string; partitions: number }[] = [];
    for (const topic of request.topics) {
      if (repeated.has(topic.name)) {
        results.push(failed(topic.name, ErrorCode.InvalidRequest, `Create topics request from client \`${request.clientId}\` contains multiple entries for the following topics: ${[...repeated].join(', ')}`));
        continue;
      }
      const outcome = await createOne(ctx, topic, request.validateOnly);
      results.push(outcome.result);
      if (outcome.partitions !== undefined) created.push({ name: topic.name, partitions: outcome.partitions });
    }
    const waiting = await waitForLeaders(ctx, created, request.timeoutMs);
    channel.respond({
      api: 'CreateTopics',
      topics: results.map((r) => (waiting.has(r.name) ? failed(r.name, ErrorCode.RequestTimedOut, `Timed out waiting for the partitions of ${r.name} to have leaders.`) : r)),
    });
  });
};

function failed(name: string, errorCode: number, errorMessage: string): TopicResult {
  return { name, errorCode, errorMessage };
}

/** Checks and creates one topic; `partitions` is set when it was created. */
async function createOne(ctx: BrokerContext, topic: CreatableTopic, validateOnly: boolean): Promise<{ result: TopicResult; partitions?: number }> {
  const { name } = topic;
  const fail = (errorCode: number, message: string) => ({ result: failed(name, errorCode, message) });
  try {
    validateTopicName(name);
  } catch (error) {
    return fail(ErrorCode.InvalidTopic, causeMessage(error));
  }
  if (hasTopic(brokerState(ctx).metadata, name) || (await ctx.zk.exists(topicPath(name)))) return fail(ErrorCode.TopicAlreadyExists, `Topic '${name}' already exists.`);
  const explicit = topic.assignments.length > 0;
  if (explicit && (topic.numPartitions !== -1 || topic.replicationFactor !== -1)) {
    return fail(ErrorCode.InvalidRequest, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
  }
  const nullConfig = topic.configs.find((c) => c.value === null);
  if (nullConfig !== undefined) return fail(ErrorCode.InvalidRequest, `Null value not supported for topic configs : ${nullConfig.name}`);
  let config: Partial<TopicConfig>;
  try {
    config = topicOverridesFromProperties(Object.fromEntries(topic.configs.map((c) => [c.name, c.value!])));
  } catch (error) {
    return fail(ErrorCode.InvalidConfig, causeMessage(error));
  }
  let assignment: Map<number, number[]> | undefined;
  let partitions: number;
  let replicationFactor: number;
  if (explicit) {
    const problem = assignmentProblem(topic.assignments);
    if (problem !== undefined) return fail(ErrorCode.InvalidReplicaAssignment, problem);
    assignment = new Map(topic.assignments.map((a) => [a.partition, [...a.brokerIds]]));
    partitions = assignment.size;
    replicationFactor = topic.assignments[0]!.brokerIds.length;
  } else {
    partitions = topic.numPartitions === -1 ? ctx.config['num.partitions'] : topic.numPartitions;
    replicationFactor = topic.replicationFactor === -1 ? ctx.config['default.replication.factor'] : topic.replicationFactor;
    if (partitions <= 0) return fail(ErrorCode.InvalidPartitions, 'Number of partitions must be larger than 0.');
    if (replicationFactor <= 0) return fail(ErrorCode.InvalidReplicationFactor, 'Replication factor must be larger than 0.');
    const brokers = (await liveBrokers(ctx.zk)).length;
    if (replicationFactor > brokers) return fail(ErrorCode.InvalidReplicationFactor, `Replication factor: ${replicationFactor} larger than available brokers: ${brokers}.`);
  }
  if (validateOnly) return { result: failed(name, ErrorCode.NoError, '') };
  try {
    await createTopic(ctx.zk, { topic: name, partitions, replicationFactor, config, rng: ctx.env.random, ...(assignment === undefined ? {} : { assignment }) });
  } catch (error) {
    if (error instanceof TopicExistsError) return fail(ErrorCode.TopicAlreadyExists, `Topic '${name}' already exists.`);
    if (error instanceof InvalidTopicNameError) return fail(ErrorCode.InvalidTopic, causeMessage(error));
    if (error instanceof AdminOperationError) return fail(ErrorCode.InvalidReplicationFactor, causeMessage(error));
    return fail(ErrorCode.Unknown, causeMessage(error));
  }
  ctx.narrate(
    'topic.created',
    { topic: name, partitions, replicationFactor },
    `Broker ${ctx.brokerId} (controller) creates topic ${name} for a client: ${partitions} partition(s), replication factor ${replicationFactor}.`,
  );
  return { result: { name, errorCode: ErrorCode.NoError, errorMessage: null }, partitions };
}

/** `AdminZkClient.validateTopicCreate`'s checks of explicit assignments, or undefined if they hold. */
function assignmentProblem(assignments: CreatableTopic['assignments']): string | undefined {
  const ids = assignments.map((a) => a.partition).sort((a, b) => a - b);
  if (ids.some((id, i) => id !== i)) return `Partitions should be a consecutive 0-based integer sequence, got ${ids.join(', ')}.`;
  const size = assignments[0]!.brokerIds.length;
  for (const { partition, brokerIds } of assignments) {
    if (brokerIds.length === 0) return `Partition ${partition} has no replicas.`;
    if (new Set(brokerIds).size !== brokerIds.length) return `Duplicate replica assignment found: ${partition} -> ${brokerIds.join(',')}.`;
    if (brokerIds.length !== size) return 'All partitions should have the same number of replicas.';
  }
  return undefined;
}

/** The created topics that still lack a leader for some partition when `timeoutMs` runs out (none if ≤ 0). */
async function waitForLeaders(ctx: BrokerContext, created: readonly { name: string; partitions: number }[], timeoutMs: number): Promise<Set<string>> {
  const deadline = ctx.env.nowMs() + timeoutMs;
  const lacking = () => {
    const cache = brokerState(ctx).metadata;
    const alive = new Set(cache.aliveBrokers);
    return new Set(
      created
        .filter(({ name, partitions }) => Array.from({ length: partitions }, (_, p) => cache.partitions[partitionKey(name, p)]).some((entry) => entry === undefined || !alive.has(entry.leader)))
        .map((t) => t.name),
    );
  };
  if (timeoutMs <= 0) return new Set();
  let missing = lacking();
  while (missing.size > 0 && ctx.env.nowMs() < deadline) {
    await ctx.env.sleep(Math.min(LEADER_POLL_MS, deadline - ctx.env.nowMs()));
    missing = lacking();
  }
  return missing;
}
