export {
  deliverableSchema,
  phaseRecordSchema,
  type Deliverable,
  type PhaseRecord,
} from './deliverable-schema';
export { buildDeliverable, type DeliverableInput } from './build-deliverable';
