export * from './topic.js';
export { mentionsRawTopic } from './mentions-raw.js';
export { mentionsEnrichedTopic } from './mentions-enriched.js';
export { eventsTopic } from './events.js';
export { alertsTopic } from './alerts.js';
export { deadLetterTopic } from './deadletter.js';
export { engagementTopic } from './engagement.js';

import { mentionsRawTopic } from './mentions-raw.js';
import { mentionsEnrichedTopic } from './mentions-enriched.js';
import { eventsTopic } from './events.js';
import { alertsTopic } from './alerts.js';
import { deadLetterTopic } from './deadletter.js';
import { engagementTopic } from './engagement.js';

export const allTopics = [mentionsRawTopic, mentionsEnrichedTopic, eventsTopic, alertsTopic, deadLetterTopic, engagementTopic] as const;
