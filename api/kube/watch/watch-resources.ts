import { experimentWatchResource } from './experiment-watch-resource.ts'
import { suggestionWatchResource } from './suggestion-watch-resource.ts'
import { trialWatchResource } from './trial-watch-resource.ts'
import type { WatchResource } from './watch-resource.ts'

/** The watchable resources by their URL plural. */
export const WATCH_RESOURCES: Readonly<Record<WatchResource['plural'], WatchResource>> = {
  experiments: experimentWatchResource,
  trials: trialWatchResource,
  suggestions: suggestionWatchResource,
}
