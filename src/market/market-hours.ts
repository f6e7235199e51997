/**
 * US equity regular trading hours: Monday to Friday, 09:30 to 16:00 in New
 * York. Exchange holidays are not modelled: on a holiday the check behaves as
 * on a normal weekday, so a stale-quote limit may refuse the holiday's
 * (unchanging) last price; set --max-quote-age 0 to turn the check off.
 */
const NEW_YORK = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  weekday: 'short',
  hour: 'numeric',
  minute: 'numeric',
  hourCycle: 'h23',
});

const OPEN_MINUTE = 9 * 60 + 30;
const CLOSE_MINUTE = 16 * 60;

/** True while the US equity regular session is open at `tsMs`. */
export function isUsEquityMarketOpen(tsMs: number): boolean {
  let weekday = '';
  let minutes = 0;
  for (const part of NEW_YORK.formatToParts(tsMs)) {
    if (part.type === 'weekday') weekday = part.value;
    else if (part.type === 'hour') minutes += Number(part.value) * 60;
    else if (part.type === 'minute') minutes += Number(part.value);
  }
  if (weekday === 'Sat' || weekday === 'Sun') return false;
  return minutes >= OPEN_MINUTE && minutes < CLOSE_MINUTE;
}
