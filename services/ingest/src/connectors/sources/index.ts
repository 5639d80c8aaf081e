import type { SourceDefinition } from '../define.js';
import { appStoreConnect } from './app-store-connect.js';
import { bluesky, jetstream } from './bluesky.js';
import { github, githubDiscussions } from './github.js';
import { hackerNews } from './hackernews.js';
import { mastodon, mastodonStream } from './mastodon.js';
import { instagramHashtags } from './instagram-hashtags.js';
import { facebookPage, instagram } from './meta-webhooks.js';
import { gdelt, stackExchange } from './news-and-qa.js';
import { reddit } from './reddit.js';
import { appStore, googleBusiness, googlePlay, trustpilot, yelp } from './reviews.js';
import { rss } from './rss.js';
import { threads } from './threads.js';
import { xSearch, xStream } from './x.js';
import { webhook } from './webhook.js';
import { youtube, youtubeSearch } from './youtube.js';

/** Every source type the brands file can name, by its `type:`. */
export const SOURCES: SourceDefinition[] = [
  xSearch,
  xStream,
  reddit,
  mastodon,
  mastodonStream,
  bluesky,
  jetstream,
  threads,
  youtube,
  youtubeSearch,
  hackerNews,
  trustpilot,
  yelp,
  googleBusiness,
  appStore,
  appStoreConnect,
  googlePlay,
  rss,
  gdelt,
  stackExchange,
  github,
  githubDiscussions,
  facebookPage,
  instagram,
  instagramHashtags,
  webhook,
];

export const sourceByType = new Map(SOURCES.map((s) => [s.type, s]));
