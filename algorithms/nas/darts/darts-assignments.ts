import type { NasConfig } from '../../../core/spec/experiment-schema.ts'
import type { ParsedSettings } from '../../algorithm-definition.ts'
import type { RawSetting } from '../../parse-settings.ts'
import { dartsSearchSpace } from './darts-search-space.ts'
import { DARTS_SETTINGS, isFloatSetting } from './darts-settings.ts'
import { katibNumber, katibQuotedJson, type KatibJsonValue } from './katib-quoted-json.ts'

/** The trial parameter references a DARTS trial gets, as Katib names them. */
export const DARTS_ASSIGNMENT_NAMES = ['algorithm-settings', 'search-space', 'num-layers'] as const

/**
 * What Katib's DARTS service assigns to every trial (the same for each): `algorithm-settings`
 * and `search-space` as single-quoted JSON, `num-layers` as `graphConfig.numLayers` (0 when
 * absent, as protobuf's default). For darts-cpu.yaml:
 *
 *   algorithm-settings  {'num_epochs': '1', 'w_lr': 0.025, ..., 'stem_multiplier': '1'}
 *   search-space        ['max_pooling_3x3']
 *   num-layers          1
 *
 * Katib writes its defaults as Python numbers and each given setting as the text it was given
 * (`'1'`, `None` as `null`), a setting it does not know included, after its defaults. With
 * `given` (the experiment's `algorithmSettings`), the result is that text exactly. Without it,
 * the values come from `settings` (parseSettings' numbers, written as numbers), which the trial
 * reads the same way (Katib's run_trial.py converts every value with int() or float()).
 */
export function dartsAssignments(nasConfig: NasConfig, settings: ParsedSettings, given?: readonly RawSetting[]): Record<string, string> {
  const values = new Map<string, KatibJsonValue>()
  for (const spec of DARTS_SETTINGS) {
    const value = settings[spec.name] ?? spec.default
    values.set(spec.name, typeof value === 'number' ? katibNumber(value, isFloatSetting(spec.name)) : settingText(value))
  }
  for (const setting of given ?? []) values.set(setting.name, settingText(setting.value))
  return {
    'algorithm-settings': katibQuotedJson(values),
    'search-space': katibQuotedJson(dartsSearchSpace(nasConfig.operations ?? [])),
    'num-layers': String(nasConfig.graphConfig?.numLayers ?? 0),
  }
}

function settingText(value: string): KatibJsonValue {
  return value === 'None' ? null : value
}
