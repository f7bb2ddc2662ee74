/**
 * The project's custom search attributes: registered by the dev server (`specialist dev`), by
 * docker-compose's setup service, and used by workflows (`upsertSearchAttributes`) and the client
 * (list filters). One list so the names cannot drift. No Node imports: workflows load this module.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Feature name of a run (`feature` of the spec). */
export const SPECIALIST_FEATURE = defineSearchAttributeKey('SpecialistFeature', SearchAttributeType.KEYWORD);
/** Phase the run is in now (`domain_model`, `database_migration`, ...). */
export const SPECIALIST_PHASE = defineSearchAttributeKey('SpecialistPhase', SearchAttributeType.KEYWORD);
/** Run status (`running`, `waiting`, `completed`, `failed`, ...). */
export const SPECIALIST_STATUS = defineSearchAttributeKey('SpecialistStatus', SearchAttributeType.KEYWORD);

/** Every custom search attribute with its type as the Temporal CLI spells it (`--search-attribute N=T`). */
export const SEARCH_ATTRIBUTES: Readonly<Record<string, 'Keyword'>> = {
  [SPECIALIST_FEATURE.name]: 'Keyword',
  [SPECIALIST_PHASE.name]: 'Keyword',
  [SPECIALIST_STATUS.name]: 'Keyword',
};
