export { StaticEmbedding } from './static-embedding.js';
export { StoryClusters, repostKey, type StoryClusterOptions, type StoryBurstOptions, type Assignment, type StoryListener } from './story-clusters.js';
export { StreamStories, STREAM_STORY_OPTIONS, STREAM_BURST_OPTIONS, storyStage } from './stream-stories.js';
export { StoryLabels } from './story-labels.js';
export { storiesOfTexts, type OfflineStory, type Embed } from './offline-stories.js';
export { scoreClusters, hungarian, type ClusterScores } from './cluster-metrics.js';
export {
  DEFAULT_STORY_EMBEDDING,
  DEFAULT_STORY_ENCODER,
  ENCODER_STORY_OPTIONS,
  STATIC_STORY_OPTIONS,
  STORY_ENCODER_HOW,
  encoderStoryEmbedding,
  staticStoryEmbedding,
  storyEncoderBuilt,
  type StoryEmbedding,
  type StoryEmbeddingKind,
} from './story-embedding.js';
/** The stream's options: it runs on the static embedding. */
export { STATIC_STORY_OPTIONS as DEFAULT_STORY_OPTIONS } from './story-embedding.js';
