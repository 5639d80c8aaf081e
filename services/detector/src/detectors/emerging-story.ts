import { seasoned } from '../checks/history.js';
import { STORY_RISE, detectStoryRises, storyRiseSummary, type StoryRiseOptions } from '../checks/story-rise.js';
import type { BrandSeries, Detection, Detector, DetectorOptions } from './contract.js';

/**
 * A story rising (docs/stories.md): a new one growing faster than the brand's new stories
 * usually do, or an old one against its own baseline (checks/story-rise.ts). The alert names
 * the story and carries it as its explanation's story; one alert per story. A story not mostly
 * negative is reported as news (info), not as a page.
 *
 * Thresholds: the count surge's levels (sensitivity.ts), over STORY_RISE's windows and
 * floor. Runs only where the stories are on (EARSHOT_STORIES) and the brand has the
 * history the other count tests need.
 */
export const emergingStory = {
  kind: 'emerging_story',
  catches: ['outage', 'backlash'],
  detect(s: BrandSeries, o: DetectorOptions, opts: StoryRiseOptions = STORY_RISE): Detection[] {
    if (!s.stories || !seasoned(s.total, o.minHistory)) return [];
    return detectStoryRises(s.stories, s.total, o, opts).map((r) => ({
      kind: 'emerging_story' as const,
      scope: `story:${r.story.id}`,
      // A story not mostly negative (a campaign, a launch) is news, not a page: info, as volume_spike's campaign.
      finding: r.negative * 2 > r.finding.observed ? r.finding : { ...r.finding, severity: 'info' as const },
      summary: storyRiseSummary(r),
      explainBy: { story: r.story.id },
    }));
  },
} satisfies Detector;
