//! Device lists (issue 16 §1): devices named one by one, as an engineer's bench sheet or
//! fleet export has them, instead of a pattern × a count.
//!
//! Two shapes are read, told apart by the first line that is not blank or a `#` comment:
//! - **one name per line** (a serial number, a MAC address, a host name);
//! - **CSV with a header** whose first column is `name` (or `cn`); the other columns are
//!   optional: `names`/`dns`/`ip` (subjectAltNames, several separated by spaces or `;`),
//!   `email`, and the subject fields `o`, `ou`, `c`, `st`, `l` (or their long names).
//!   Commas separate cells; a header with `;` and no `,` makes `;` the separator, as
//!   spreadsheets set to French or German write it. Cells may be quoted (RFC 4180), a UTF-8
//!   byte-order mark is skipped, and a column whose name starts with `x-` is kept as a note.
//!
//! Every line is checked with the rules a pattern's names get ([`super::checks`]); each
//! problem names its line, and a name used twice names both lines.

use super::checks::{check_cn, check_subject, email_san, server_names};
use crate::error::{ErrorKind, FieldError, Problems};
use crate::names::SanName;
use crate::spec::SubjectFields;
use std::collections::HashMap;

/// Most problems reported for one list: past these, one line says how many more there are.
const MAX_REPORTED: usize = 20;

/// One device of a list, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listed {
    /// Line of the list it came from (1-based).
    pub line: usize,
    /// Subject CN, as written.
    pub common_name: String,
    /// File stem: the name, with a MAC address's `:` written as `-`.
    pub stem: String,
    /// subjectAltNames the line asks for.
    pub sans: Vec<SanName>,
    /// Subject fields the line sets (the rest come from the batch and the kit).
    pub subject: SubjectFields,
}

/// A column a header may name.
#[derive(Clone, Copy)]
enum Column {
    Name,
    Names,
    Email,
    Subject(fn(&mut SubjectFields) -> &mut Option<String>),
    Note,
}

const KNOWN: &str = "name, names (or dns, ip), email, o, ou, c, st, l";

fn column(header: &str) -> Option<Column> {
    let h = header.trim().to_ascii_lowercase();
    Some(match h.as_str() {
        "name" | "cn" | "common_name" | "common name" => Column::Name,
        "names" | "dns" | "ip" | "san" | "sans" | "hosts" => Column::Names,
        "email" | "e-mail" => Column::Email,
        "o" | "organization" | "organisation" => Column::Subject(|s| &mut s.organization),
        "ou" | "organizational_unit" | "organizational unit" | "unit" => {
            Column::Subject(|s| &mut s.organizational_unit)
        }
        "c" | "country" => Column::Subject(|s| &mut s.country),
        "st" | "state" | "province" => Column::Subject(|s| &mut s.state),
        "l" | "locality" | "city" => Column::Subject(|s| &mut s.locality),
        _ if h.starts_with("x-") => Column::Note,
        _ => return None,
    })
}

/// Splits one CSV line into cells (quotes as RFC 4180 has them); `None` if a quote is left
/// open.
fn cells(line: &str, sep: char) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cur.trim().is_empty() => {
                cur.clear();
                quoted = true;
            }
            (c, false) if c == sep => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    (!quoted).then(|| out.into_iter().map(|c| c.trim().to_string()).collect())
}

/// The problems of one list, each prefixed with its line.
struct LineProblems<'a> {
    field: &'a str,
    p: Problems,
}

impl LineProblems<'_> {
    fn push(&mut self, line: usize, kind: ErrorKind, problem: String, fix: &str) {
        self.p
            .push(self.field, kind, format!("line {line}: {problem}"), fix);
    }

    /// Moves the problems a shared check found on `line` into the list's, under its field.
    fn absorb(&mut self, line: usize, found: Problems) {
        for e in found.0 {
            self.p.0.push(FieldError {
                field: self.field.to_string(),
                problem: format!("line {line}: {}", e.problem),
                ..e
            });
        }
    }
}

/// A device list file's text: UTF-8 (a byte-order mark is fine); UTF-16, as spreadsheets
/// save "Unicode text", and other encodings are refused with the line and the way out. The
/// CLI and the page both read list files through here.
pub fn device_list_text(bytes: &[u8], field: &str) -> Result<String, crate::Error> {
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let problem = if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
            "the list is UTF-16 text".to_string()
        } else {
            let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
            format!("the list is not UTF-8 text (line {line})")
        };
        crate::Error::field(
            field,
            ErrorKind::BadList,
            problem,
            "save it as UTF-8 (in a spreadsheet: \"CSV UTF-8\"; or `iconv -f latin1 -t utf-8`)",
        )
    })
}

/// Reads a device list; `field` names it in errors (`devices[0].list`, `--devices-from`).
pub(crate) fn read(text: &str, field: &str) -> Result<Vec<Listed>, Vec<FieldError>> {
    let mut lp = LineProblems {
        field,
        p: Problems::default(),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .peekable();
    let header = lines.peek().and_then(|&(n, l)| header(n, l, &mut lp));
    if header.is_some() {
        lines.next();
    }
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (n, line) in lines {
        let Some(d) = (match &header {
            Some((cols, sep)) => row(n, line, cols, *sep, &mut lp),
            None => plain(n, line, &mut lp),
        }) else {
            continue;
        };
        if let Some(&first) = seen.get(&d.stem.to_ascii_lowercase()) {
            lp.push(
                n,
                ErrorKind::DuplicateName,
                format!("`{}` repeats the device of line {first}", d.common_name),
                "list each device once: their files would overwrite each other",
            );
            continue;
        }
        seen.insert(d.stem.to_ascii_lowercase(), n);
        out.push(d);
    }
    if out.is_empty() && lp.p.0.is_empty() {
        lp.p.push(
            field,
            ErrorKind::Missing,
            "the device list names no device",
            "write one device name per line, or CSV with a header line starting with `name`",
        );
    }
    let mut errors = lp.p.0;
    if errors.len() > MAX_REPORTED {
        let more = errors.len() - MAX_REPORTED;
        errors.truncate(MAX_REPORTED);
        errors.push(FieldError::new(
            field,
            ErrorKind::BadList,
            format!("and {more} more problems"),
            "fix the lines above first; the rest are likely the same mistake",
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The header's columns and separator, if `line` is a CSV header.
fn header(n: usize, line: &str, lp: &mut LineProblems) -> Option<(Vec<Column>, char)> {
    let sep = if !line.contains(',') && line.contains(';') {
        ';'
    } else {
        ','
    };
    let heads = cells(line, sep)?;
    if !matches!(column(&heads[0]), Some(Column::Name)) {
        return None;
    }
    let mut cols = Vec::new();
    for h in &heads {
        match column(h) {
            Some(Column::Name) if !cols.is_empty() => lp.push(
                n,
                ErrorKind::BadList,
                format!("the header names the column `{h}` twice"),
                "keep one `name` column, the first",
            ),
            Some(c) => cols.push(c),
            None => lp.push(
                n,
                ErrorKind::BadList,
                format!("the header has a column `{}` certlab does not know", crate::text::clip(h, 40)),
                &format!("name the columns among: {KNOWN}; start a column's name with `x-` to keep it as a note"),
            ),
        }
    }
    Some((cols, sep))
}

/// A line of a list without a header: one name.
fn plain(n: usize, line: &str, lp: &mut LineProblems) -> Option<Listed> {
    if line.contains(',') || line.contains(';') || line.contains('\t') {
        lp.push(
            n,
            ErrorKind::BadList,
            "the line has several columns but the list has no header".into(),
            "start the list with a header line such as `name,names,email`, or give one name per line",
        );
        return None;
    }
    device(n, line, &[], None, SubjectFields::default(), lp)
}

/// A CSV row under `cols`.
fn row(n: usize, line: &str, cols: &[Column], sep: char, lp: &mut LineProblems) -> Option<Listed> {
    let Some(cells) = cells(line, sep) else {
        lp.push(
            n,
            ErrorKind::BadList,
            "a quote `\"` is not closed".into(),
            "close the quoted cell, or double a quote inside it (`\"\"`)",
        );
        return None;
    };
    if cells.len() != cols.len() {
        lp.push(
            n,
            ErrorKind::BadList,
            format!(
                "the line has {} cells, the header {}",
                cells.len(),
                cols.len()
            ),
            &format!(
                "give every line one cell per column (empty cells are fine), separated by `{sep}`"
            ),
        );
        return None;
    }
    let (mut name, mut names, mut email) = ("", Vec::new(), None);
    let mut subject = SubjectFields::default();
    for (col, cell) in cols.iter().zip(&cells) {
        match col {
            Column::Name => name = cell,
            Column::Names => names.extend(
                cell.split(|c: char| c.is_whitespace() || c == ';' || c == ',')
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            ),
            Column::Email => email = Some(cell.as_str()).filter(|e| !e.is_empty()),
            Column::Subject(get) => {
                *get(&mut subject) = Some(cell.clone()).filter(|c| !c.is_empty())
            }
            Column::Note => {}
        }
    }
    device(n, name, &names, email, subject, lp)
}

/// Checks one device with the rules every identity gets.
fn device(
    n: usize,
    name: &str,
    names: &[String],
    email: Option<&str>,
    subject: SubjectFields,
    lp: &mut LineProblems,
) -> Option<Listed> {
    let mut found = Problems::default();
    check_cn(&mut found, String::new(), name);
    let stem = if is_mac(name) {
        name.replace(':', "-")
    } else {
        name.to_string()
    };
    if found.0.is_empty() && !super::checks::is_safe_stem(&stem) {
        found.push(
            "",
            ErrorKind::BadFileName,
            format!(
                "`{}` cannot be used as a file name",
                crate::text::clip(name, 64)
            ),
            "use at most 64 letters, digits, `.`, `_` or `-` (a MAC address's `:` is fine)",
        );
    }
    let mut sans = server_names(&mut found, "names", names);
    sans.extend(email_san(&mut found, "email", email));
    check_subject(&mut found, "subject", &subject);
    if !found.0.is_empty() {
        lp.absorb(n, found);
        return None;
    }
    Some(Listed {
        line: n,
        common_name: name.to_string(),
        stem,
        sans,
        subject,
    })
}

/// `aa:bb:cc:dd:ee:ff` (any case, 6 to 8 groups of two hex digits, as MACs and EUI-64s are
/// written).
fn is_mac(s: &str) -> bool {
    let groups: Vec<&str> = s.split(':').collect();
    (6..=8).contains(&groups.len())
        && groups
            .iter()
            .all(|g| g.len() == 2 && g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        read(text, "list")
            .unwrap_err()
            .into_iter()
            .map(|e| e.problem)
            .collect()
    }

    #[test]
    fn plain_lists_skip_blanks_comments_and_a_bom() {
        let l = read(
            "\u{feff}# bench 3\nsn-001\n\n  sn-002  \r\nAA:BB:CC:00:11:22\n",
            "list",
        )
        .unwrap();
        let names: Vec<_> = l.iter().map(|d| (d.line, d.stem.as_str())).collect();
        assert_eq!(
            names,
            [(2, "sn-001"), (4, "sn-002"), (5, "AA-BB-CC-00-11-22")]
        );
        assert_eq!(l[2].common_name, "AA:BB:CC:00:11:22");
    }

    #[test]
    fn csv_with_a_header_reads_names_and_subjects() {
        let l = read(
            "name;names;ou;x-rack\ncam-1;cam-1.lab 10.0.0.7;Floor 2;R12\n\"cam;2\";;;\n",
            "list",
        );
        let e = l.unwrap_err();
        assert!(
            e[0].problem.starts_with("line 3: `cam;2` cannot be used"),
            "{e:?}"
        );
        let l = read(
            "name,names,email,c\ncam-1,\"cam-1.lab;10.0.0.7\",a@lab.test,FR\n",
            "list",
        )
        .unwrap();
        assert_eq!(l[0].sans.len(), 3);
        assert_eq!(l[0].subject.country.as_deref(), Some("FR"));
    }

    #[test]
    fn every_bad_line_is_named_with_its_number() {
        let p = problems("name,mac\n");
        assert!(p[0].contains("line 1") && p[0].contains("`mac`"), "{p:?}");
        let p = problems("a\nb,c\na\nA\n");
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p[0].starts_with("line 2:"));
        assert!(p[1].contains("line 3: `a` repeats the device of line 1"));
        assert!(
            p[2].contains("line 4: `A` repeats the device of line 1"),
            "{p:?}"
        );
        let p = problems("name,names\nx,not_a_host!\ny\n\"z,\n");
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(
            p[0].starts_with("line 2:")
                && p[1].starts_with("line 3:")
                && p[2].starts_with("line 4:")
        );
        assert!(problems("# nothing\n")[0].contains("names no device"));
        let many: String = (0..50).map(|i| format!("bad name {i}\n")).collect();
        let p = problems(&many);
        assert_eq!(p.len(), MAX_REPORTED + 1);
        assert!(p[MAX_REPORTED].contains("30 more"));
    }
}
