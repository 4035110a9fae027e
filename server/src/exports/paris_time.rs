//! Wall-clock time in France (Europe/Paris) from server milliseconds, without a time-zone
//! database.
//!
//! France follows the European Union rule in force since 1996: UTC+2 from the last Sunday of
//! March at 01:00 UTC to the last Sunday of October at 01:00 UTC, UTC+1 otherwise.
//! NOTE: dates before 1996, or after a change of that rule, would be off by up to one hour.

const MS_PER_HOUR: i64 = 3_600_000;
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

/// A date and time as read on a clock in France.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalDateTime {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl LocalDateTime {
    /// French notation, `dd/mm/yyyy hh:mm`.
    pub fn french(&self) -> String {
        format!("{:02}/{:02}/{:04} {:02}:{:02}", self.day, self.month, self.year, self.hour, self.minute)
    }

    /// ISO 8601 date, `yyyy-mm-dd`.
    pub fn iso_date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let year = i64::from(year) - i64::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Converts a day count since 1970-01-01 to a date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}

/// Day count of the last Sunday of a month from March to November.
fn last_sunday(year: i32, month: u32) -> i64 {
    let last_day = days_from_civil(year, month + 1, 1) - 1;
    // 1970-01-01 was a Thursday, so (days + 4) mod 7 is 0 on Sundays.
    last_day - (last_day + 4).rem_euclid(7)
}

/// Offset of French time from UTC at an instant, in milliseconds.
fn offset_ms(utc_ms: i64) -> i64 {
    let (year, _, _) = civil_from_days(utc_ms.div_euclid(MS_PER_DAY));
    let summer_starts = last_sunday(year, 3) * MS_PER_DAY + MS_PER_HOUR;
    let summer_ends = last_sunday(year, 10) * MS_PER_DAY + MS_PER_HOUR;
    if (summer_starts..summer_ends).contains(&utc_ms) {
        2 * MS_PER_HOUR
    } else {
        MS_PER_HOUR
    }
}

/// Converts `utc_ms` milliseconds since the Unix epoch to the time on a clock in France.
pub fn paris(utc_ms: i64) -> LocalDateTime {
    let local_ms = utc_ms + offset_ms(utc_ms);
    let (year, month, day) = civil_from_days(local_ms.div_euclid(MS_PER_DAY));
    let seconds_of_day = local_ms.rem_euclid(MS_PER_DAY) / 1000;
    LocalDateTime {
        year,
        month,
        day,
        hour: (seconds_of_day / 3600) as u32,
        minute: (seconds_of_day / 60 % 60) as u32,
        second: (seconds_of_day % 60) as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc_ms(year: i32, month: u32, day: u32, hour: i64, minute: i64) -> i64 {
        days_from_civil(year, month, day) * MS_PER_DAY + hour * MS_PER_HOUR + minute * 60_000
    }

    #[test]
    fn day_count_round_trips() {
        for days in [-1000, 0, 59, 60, 10_957, 20_000, 21_000, 25_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(days_from_civil(2028, 2, 29)), (2028, 2, 29));
    }

    #[test]
    fn winter_is_utc_plus_one() {
        assert_eq!(paris(utc_ms(2027, 3, 18, 17, 30)).french(), "18/03/2027 18:30");
        assert_eq!(paris(utc_ms(2026, 12, 31, 23, 15)).french(), "01/01/2027 00:15");
    }

    #[test]
    fn summer_is_utc_plus_two() {
        assert_eq!(paris(utc_ms(2026, 7, 1, 10, 0)).french(), "01/07/2026 12:00");
    }

    #[test]
    fn changes_happen_at_one_utc() {
        // 2026: summer time from Sunday 29 March to Sunday 25 October.
        assert_eq!(paris(utc_ms(2026, 3, 29, 0, 59)).french(), "29/03/2026 01:59");
        assert_eq!(paris(utc_ms(2026, 3, 29, 1, 0)).french(), "29/03/2026 03:00");
        assert_eq!(paris(utc_ms(2026, 10, 25, 0, 59)).french(), "25/10/2026 02:59");
        assert_eq!(paris(utc_ms(2026, 10, 25, 1, 0)).french(), "25/10/2026 02:00");
    }
}
