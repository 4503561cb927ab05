-- A refresh whose answer was lost may be retried with the same token for a short while (see
-- sync/server/gateway/auth/sessions.ts REFRESH_RETRY_GRACE_SECONDS); the tokens issued for the lost
-- answer are then revoked as 'superseded' instead of the whole session ending.
alter table app.refresh_tokens drop constraint refresh_tokens_revoked_reason_check;
alter table app.refresh_tokens add constraint refresh_tokens_revoked_reason_check
  check (revoked_reason in ('logout', 'reuse_detected', 'membership_removed', 'membership_suspended',
                            'no_membership', 'user_disabled', 'superseded'));
