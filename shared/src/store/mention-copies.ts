/**
 * Tables that hold a copy of stored mentions' fields, one row per mention (and brand),
 * filled by materialized views. A mention deleted (erasure, a post gone upstream) or
 * updated (followers) in `mentions` is deleted or updated here too, with the same WHERE
 * on (source, id, author_id) and the same SET; retention ages them with `mentions`.
 */
export const MENTION_COPIES = ['care_messages'] as const;
