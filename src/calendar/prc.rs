//! The PRC holiday arrangements this crate ships, each from the State
//! Council notice that sets it.

use super::WorkingCalendar;

/// `data/calendars/cn-2025.txt`.
const CN_2025: &str = include_str!("../../data/calendars/cn-2025.txt");
/// `data/calendars/cn-2026.txt`.
const CN_2026: &str = include_str!("../../data/calendars/cn-2026.txt");

/// Parses an embedded calendar file.
fn embedded(text: &str) -> WorkingCalendar {
    // The embedded files are fixed at compile time and parsed by this
    // module's tests, so this cannot fail in a released crate.
    WorkingCalendar::parse(text).expect("an embedded calendar file parses")
}

impl WorkingCalendar {
    /// The PRC's public holidays and make-up working days in 2025, in China
    /// Standard Time with a Saturday–Sunday weekend.
    ///
    /// Source: 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号),
    /// the General Office of the State Council's notice of 12 November 2024,
    /// published in full by Xinhua that day:
    ///
    /// | holiday | days off | make-up working days |
    /// |---|---|---|
    /// | New Year's Day (元旦) | 1 Jan | — |
    /// | Spring Festival (春节) | 28 Jan – 4 Feb | Sun 26 Jan, Sat 8 Feb |
    /// | Qingming Festival (清明节) | 4 – 6 Apr | — |
    /// | Labour Day (劳动节) | 1 – 5 May | Sun 27 Apr |
    /// | Dragon Boat Festival (端午节) | 31 May – 2 Jun | — |
    /// | National Day and Mid-Autumn Festival (国庆节、中秋节) | 1 – 8 Oct | Sun 28 Sep, Sat 11 Oct |
    ///
    /// The data is the text file `data/calendars/cn-2025.txt`. Dates outside
    /// 2025 follow the weekday rule only; use [`prc`](Self::prc) for limits
    /// that may run into 2026.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use grassroots::calendar::{CalendarError, WorkingCalendar};
    ///
    /// let cal = WorkingCalendar::prc_2025();
    /// let date = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
    /// assert!(cal.is_working_day(date(2, 8))); // Saturday, a make-up day
    /// assert_eq!(cal.holiday_name(date(10, 6)), Some("National Day and Mid-Autumn Festival (国庆节、中秋节)"));
    /// // 15 working days from Monday 22 September: National Day is skipped.
    /// assert_eq!(cal.add_working_days(date(9, 22), 15)?, date(10, 17));
    /// # Ok::<(), CalendarError>(())
    /// ```
    ///
    /// # Panics
    ///
    /// Never: the embedded file is checked by this crate's tests.
    pub fn prc_2025() -> Self {
        embedded(CN_2025)
    }

    /// The PRC's public holidays and make-up working days in 2026, in China
    /// Standard Time with a Saturday–Sunday weekend.
    ///
    /// Source: 国务院办公厅关于2026年部分节假日安排的通知, the General Office of
    /// the State Council's notice of 4 November 2025, published in full by
    /// Xinhua that day:
    ///
    /// | holiday | days off | make-up working days |
    /// |---|---|---|
    /// | New Year's Day (元旦) | 1 – 3 Jan | Sun 4 Jan |
    /// | Spring Festival (春节) | 15 – 23 Feb | Sat 14 Feb, Sat 28 Feb |
    /// | Qingming Festival (清明节) | 4 – 6 Apr | — |
    /// | Labour Day (劳动节) | 1 – 5 May | Sat 9 May |
    /// | Dragon Boat Festival (端午节) | 19 – 21 Jun | — |
    /// | Mid-Autumn Festival (中秋节) | 25 – 27 Sep | — |
    /// | National Day (国庆节) | 1 – 7 Oct | Sun 20 Sep, Sat 10 Oct |
    ///
    /// The data is the text file `data/calendars/cn-2026.txt`. Dates outside
    /// 2026 follow the weekday rule only.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use grassroots::calendar::{CalendarError, WorkingCalendar};
    ///
    /// let cal = WorkingCalendar::prc_2026();
    /// let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    /// assert!(!cal.is_working_day(date(2, 23))); // Monday, Spring Festival
    /// assert_eq!(cal.next_working_day(date(2, 13))?, date(2, 14)); // a Saturday, worked
    /// # Ok::<(), CalendarError>(())
    /// ```
    ///
    /// # Panics
    ///
    /// Never: the embedded file is checked by this crate's tests.
    pub fn prc_2026() -> Self {
        embedded(CN_2026)
    }

    /// Every PRC year this crate ships, in one calendar: currently
    /// [`prc_2025`](Self::prc_2025) and [`prc_2026`](Self::prc_2026).
    ///
    /// Later crate versions add years as the State Council announces them
    /// (usually in November for the following year). Dates after the last
    /// year follow the weekday rule only.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use grassroots::calendar::{CalendarError, WorkingCalendar};
    ///
    /// let cal = WorkingCalendar::prc();
    /// let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    /// // From Monday 29 December 2025, New Year 2026 (1–3 January) is skipped
    /// // and Sunday 4 January is worked.
    /// assert_eq!(cal.add_working_days(date(2025, 12, 29), 3)?, date(2026, 1, 4));
    /// # Ok::<(), CalendarError>(())
    /// ```
    ///
    /// # Panics
    ///
    /// Never: the embedded files are checked by this crate's tests.
    pub fn prc() -> Self {
        let mut cal = Self::prc_2025();
        let later = Self::prc_2026();
        // The years do not overlap, and `prc_covers_both_years` checks that
        // the merge keeps every date of both.
        cal.days.extend(later.days);
        cal.changed();
        cal
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, NaiveDate, Weekday};

    use super::*;
    use crate::calendar::DayKind;

    /// One clause of a notice: the days off, and the make-up days with the
    /// weekday the notice prints for each.
    struct Clause {
        off: (NaiveDate, NaiveDate),
        makeup: &'static [(u32, u32, Weekday)],
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn check(cal: &WorkingCalendar, year: i32, clauses: &[Clause]) {
        let mut off = 0;
        let mut makeup = 0;
        for clause in clauses {
            let (first, last) = clause.off;
            for date in first.iter_days().take_while(|x| *x <= last) {
                assert_eq!(cal.day_kind(date), DayKind::Holiday, "{date}");
                off += 1;
            }
            for &(m, day, weekday) in clause.makeup {
                let date = d(year, m, day);
                assert_eq!(date.weekday(), weekday, "the notice's weekday for {date}");
                assert_eq!(cal.day_kind(date), DayKind::MakeupWorkday, "{date}");
                makeup += 1;
            }
        }
        let in_year = |x: &NaiveDate| x.year() == year;
        assert_eq!(cal.holidays().filter(|(x, _)| in_year(x)).count(), off);
        assert_eq!(
            cal.makeup_workdays().filter(|(x, _)| in_year(x)).count(),
            makeup
        );
    }

    fn clauses_2025() -> Vec<Clause> {
        use Weekday::*;
        vec![
            // 一、元旦:1月1日(周三)放假1天,不调休。
            Clause {
                off: (d(2025, 1, 1), d(2025, 1, 1)),
                makeup: &[],
            },
            // 二、春节:1月28日至2月4日放假调休,共8天。1月26日(周日)、2月8日(周六)上班。
            Clause {
                off: (d(2025, 1, 28), d(2025, 2, 4)),
                makeup: &[(1, 26, Sun), (2, 8, Sat)],
            },
            // 三、清明节:4月4日(周五)至6日(周日)放假,共3天。
            Clause {
                off: (d(2025, 4, 4), d(2025, 4, 6)),
                makeup: &[],
            },
            // 四、劳动节:5月1日(周四)至5日(周一)放假调休,共5天。4月27日(周日)上班。
            Clause {
                off: (d(2025, 5, 1), d(2025, 5, 5)),
                makeup: &[(4, 27, Sun)],
            },
            // 五、端午节:5月31日(周六)至6月2日(周一)放假,共3天。
            Clause {
                off: (d(2025, 5, 31), d(2025, 6, 2)),
                makeup: &[],
            },
            // 六、国庆节、中秋节:10月1日(周三)至8日(周三)放假调休,共8天。
            // 9月28日(周日)、10月11日(周六)上班。
            Clause {
                off: (d(2025, 10, 1), d(2025, 10, 8)),
                makeup: &[(9, 28, Sun), (10, 11, Sat)],
            },
        ]
    }

    fn clauses_2026() -> Vec<Clause> {
        use Weekday::*;
        vec![
            // 一、元旦:1月1日(周四)至3日(周六)放假调休,共3天。1月4日(周日)上班。
            Clause {
                off: (d(2026, 1, 1), d(2026, 1, 3)),
                makeup: &[(1, 4, Sun)],
            },
            // 二、春节:2月15日(周日)至23日(周一)放假调休,共9天。
            // 2月14日(周六)、2月28日(周六)上班。
            Clause {
                off: (d(2026, 2, 15), d(2026, 2, 23)),
                makeup: &[(2, 14, Sat), (2, 28, Sat)],
            },
            // 三、清明节:4月4日(周六)至6日(周一)放假,共3天。
            Clause {
                off: (d(2026, 4, 4), d(2026, 4, 6)),
                makeup: &[],
            },
            // 四、劳动节:5月1日(周五)至5日(周二)放假调休,共5天。5月9日(周六)上班。
            Clause {
                off: (d(2026, 5, 1), d(2026, 5, 5)),
                makeup: &[(5, 9, Sat)],
            },
            // 五、端午节:6月19日(周五)至21日(周日)放假,共3天。
            Clause {
                off: (d(2026, 6, 19), d(2026, 6, 21)),
                makeup: &[],
            },
            // 六、中秋节:9月25日(周五)至27日(周日)放假,共3天。
            Clause {
                off: (d(2026, 9, 25), d(2026, 9, 27)),
                makeup: &[],
            },
            // 七、国庆节:10月1日(周四)至7日(周三)放假调休,共7天。
            // 9月20日(周日)、10月10日(周六)上班。
            Clause {
                off: (d(2026, 10, 1), d(2026, 10, 7)),
                makeup: &[(9, 20, Sun), (10, 10, Sat)],
            },
        ]
    }

    #[test]
    fn prc_2025_matches_the_state_council_notice() {
        let cal = WorkingCalendar::prc_2025();
        assert_eq!(cal, WorkingCalendar::parse(CN_2025).unwrap());
        check(&cal, 2025, &clauses_2025());
        // The notice's spans: 8 days of Spring Festival, 8 of National Day.
        assert_eq!(cal.holidays().count(), 1 + 8 + 3 + 5 + 3 + 8);
        assert_eq!(WorkingCalendar::parse(&cal.to_text()), Ok(cal));
    }

    #[test]
    fn prc_2026_matches_the_state_council_notice() {
        let cal = WorkingCalendar::prc_2026();
        check(&cal, 2026, &clauses_2026());
        assert_eq!(cal.holidays().count(), 3 + 9 + 3 + 5 + 3 + 3 + 7);
        assert_eq!(WorkingCalendar::parse(&cal.to_text()), Ok(cal));
    }

    #[test]
    fn prc_covers_both_years() {
        let cal = WorkingCalendar::prc();
        check(&cal, 2025, &clauses_2025());
        check(&cal, 2026, &clauses_2026());
        let (a, b) = (WorkingCalendar::prc_2025(), WorkingCalendar::prc_2026());
        assert_eq!(
            cal.holidays().count(),
            a.holidays().count() + b.holidays().count()
        );
        assert_eq!(
            cal.makeup_workdays().count(),
            a.makeup_workdays().count() + b.makeup_workdays().count()
        );
        assert_eq!(WorkingCalendar::parse(&cal.to_text()), Ok(cal));
    }

    #[test]
    fn a_service_request_over_national_day_2025_skips_the_holiday() {
        let cal = WorkingCalendar::prc_2025();
        // Submitted Friday 26 September 2025; 20 working days:
        // Sun 28 (make-up), Mon 29, Tue 30, then 1–8 October off,
        // Thu 9, Fri 10, Sat 11 (make-up) ...
        let start = d(2025, 9, 26);
        let due = cal.add_working_days(start, 20).unwrap();
        assert_eq!(due, d(2025, 10, 30));
        assert_eq!(cal.count_working_days(start, due), 20);
    }
}
