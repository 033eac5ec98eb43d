/**
 * What a request handler gets (Kafka's `KafkaApis` fields): the broker's context, its replica
 * manager, controller and group coordinator, and the channel to answer on. Handlers are thin:
 * they check, delegate to one of those, and answer with error codes, never exceptions.
 */
import type { KafkaRequest, KafkaResponse } from '../../protocol/api.ts';
import type { BrokerContext } from '../broker-context.ts';
import type { KafkaController } from '../controller/controller.ts';
import type { GroupCoordinator } from '../coordinator/group-coordinator.ts';
import type { ReplicaManager } from '../replica-manager.ts';

export interface ApiContext {
  readonly ctx: BrokerContext;
  readonly replicaManager: ReplicaManager;
  readonly controller: KafkaController;
  /** The group coordinator of modern clients (groups whose offsets partition this broker leads). */
  readonly groupCoordinator: GroupCoordinator;
  /** Observers of what the broker acknowledged (invariant and delivery checkers). */
  readonly observer: BrokerObserver;
}

/** How a handler answers (`RequestChannel`): at most one of these, once. */
export interface RequestChannel {
  respond(response: KafkaResponse): void;
  /** Done without a response (a produce with acks=0). */
  noResponse(): void;
  /** Closes the connection without answering (acks=0 with an error: the client finds out on its next send). */
  closeConnection(): void;
  /** The node on the other end. */
  readonly peer: string;
}

export type Handler<R extends KafkaRequest> = (api: ApiContext, request: R, channel: RequestChannel) => void;

export interface ProduceAcknowledgement {
  readonly broker: number;
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: number;
  /**
   * The acknowledged messages: the batch the leader appended, shared with its log, so that the
   * acknowledgements a simulation keeps hold no object per message.
   */
  readonly batch: import('../../protocol/message.ts').MessageBatch;
  readonly requiredAcks: number;
  readonly timeMs: number;
}

export interface BrokerObserver {
  /** A produce response carried NoError for these messages. */
  produceAcknowledged(ack: ProduceAcknowledgement): void;
}
