/**
 * Sarcasm that reads as praise: "I love how I have to…", "thanks for nothing", "said no
 * one". Neither tier learnt it (both called four in five sarcastic mentions of the churn
 * and sarcasm set positive or neutral), so a narrow rule turns a positive reading of such a
 * text negative. Narrow on purpose: "great service as always" and "I love how fast it is"
 * are praise, so praise words alone never count, only with what went wrong.
 */
export const SARCASM =
  /\b((i|we) (just |really )?love (how|when|that|it when) (i|we|you) (have|had|get|got|need|needed) to|(i|we) (just |really )?love (being|getting) (charged|billed|put on hold|kept|ignored|lied|hung up)|(thanks|thank you|thx) (\w+ )?for (nothing|ruining|wasting|losing|charging|making me wait)|so (glad|happy) (i|we|to) (pay|paid|wait|waited|be charged)|can'?t wait to (spend|wait|sit)\b.{0,40}\bon hold|said no (one|body)( ever)?)\b|(^|\s)\/s\s*$|🙄/iu;

type Sentiment = Record<string, number>;

/** The sentiment probabilities with a sarcastic text's positive and negative swapped (only when positive leads). */
export function readSarcasm(text: string, s: Sentiment): Sentiment {
  const pos = s.positive ?? 0;
  const neg = s.negative ?? 0;
  if (pos <= neg || pos < (s.neutral ?? 0) || !SARCASM.test(text)) return s;
  return { ...s, positive: neg, negative: pos };
}
