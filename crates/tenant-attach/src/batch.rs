//! Many questions against one engine: `tenant-attach batch` reads one question a line (JSON
//! lines) and writes one answer a line, each the same object the single command prints.
//!
//! Questions: `{"check": {"user", "device", "feature"}}`, `{"visible": {"user", "feature"}}`,
//! `{"who": {"device", "feature"}}`, `{"offboard": {"user"}}`; `feature` defaults to `view`.
//! A question that cannot be answered (bad JSON, an unknown user or device) gives an error
//! answer for that line, `{"error": {"line", "message"}}`, and the batch goes on.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::access::Offboard;
use crate::answers::{VisibleDevices, WhoUsers};
use crate::decision::Decision;
use crate::engine::Engine;
use crate::error::QueryError;
use crate::features::Feature;

fn view() -> Feature {
    Feature::View
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Question {
    /// `check`: one decision, explained.
    Check {
        /// UPN or Entra id.
        user: String,
        /// Resource id or name.
        device: String,
        /// The feature (default `view`).
        #[serde(default = "view")]
        feature: Feature,
    },
    /// `visible`: the devices a user may use a feature on.
    Visible {
        /// UPN or Entra id.
        user: String,
        /// The feature (default `view`).
        #[serde(default = "view")]
        feature: Feature,
    },
    /// `who`: the users who may use a feature on a device.
    Who {
        /// Resource id or name.
        device: String,
        /// The feature (default `view`).
        #[serde(default = "view")]
        feature: Feature,
    },
    /// `offboard`: may the user offboard the hierarchy (R-H4).
    Offboard {
        /// UPN or Entra id.
        user: String,
    },
}

/// One answer: the object the single command prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Answer {
    /// `check`'s document.
    Check(Box<Decision>),
    /// `visible`'s document.
    Visible(VisibleDevices),
    /// `who`'s document.
    Who(WhoUsers),
    /// `offboard`'s document.
    Offboard(Offboard),
}

/// A question that could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("line {line}: {message}")]
#[non_exhaustive]
pub struct BatchError {
    /// The 1-based line of the question.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl BatchError {
    /// An error answer for line `line` (1-based), for a caller that finds a line unanswerable
    /// before it reaches [`answer_line`] (the command line: a line that is not UTF-8).
    ///
    /// ```
    /// let e = tenant_attach::batch::BatchError::new(7, "not a question: invalid UTF-8 at byte 3");
    /// assert_eq!(e.to_string(), "line 7: not a question: invalid UTF-8 at byte 3");
    /// ```
    pub fn new(line: usize, message: impl Into<String>) -> BatchError {
        BatchError {
            line,
            message: message.into(),
        }
    }
}

/// The line written for an error: `{"error": {"line", "message"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorLine<'a> {
    /// The error.
    pub error: &'a BatchError,
}

/// Answers one question.
///
/// # Errors
///
/// A user or device the snapshot does not hold, or a device name several devices share.
///
/// ```
/// use tenant_attach::{Engine, Feature, batch::{self, Answer, Question}, sample};
/// let engine = Engine::from_json(sample::CONTOSO)?;
/// let q = Question::Who { device: String::from("CON-SRV-SQL01"), feature: Feature::RunScript };
/// let a = batch::answer(&engine, &q)?;
/// assert!(matches!(a, Answer::Who(w) if w.users.len() == 1)); // carol
/// let nobody = Question::Offboard { user: String::from("nobody@contoso.com") };
/// assert!(batch::answer(&engine, &nobody).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn answer(engine: &Engine, q: &Question) -> Result<Answer, QueryError> {
    answer_ref(
        engine,
        &match q {
            Question::Check {
                user,
                device,
                feature,
            } => QuestionRef::Check {
                user: Cow::Borrowed(user),
                device: Cow::Borrowed(device),
                feature: *feature,
            },
            Question::Visible { user, feature } => QuestionRef::Visible {
                user: Cow::Borrowed(user),
                feature: *feature,
            },
            Question::Who { device, feature } => QuestionRef::Who {
                device: Cow::Borrowed(device),
                feature: *feature,
            },
            Question::Offboard { user } => QuestionRef::Offboard {
                user: Cow::Borrowed(user),
            },
        },
    )
}

/// [`Question`] as read from a line: the names borrowed from it where they need no unescaping
/// (the same JSON, the same errors: the variants and fields are [`Question`]'s).
#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum QuestionRef<'a> {
    Check {
        #[serde(borrow)]
        user: Cow<'a, str>,
        #[serde(borrow)]
        device: Cow<'a, str>,
        #[serde(default = "view")]
        feature: Feature,
    },
    Visible {
        #[serde(borrow)]
        user: Cow<'a, str>,
        #[serde(default = "view")]
        feature: Feature,
    },
    Who {
        #[serde(borrow)]
        device: Cow<'a, str>,
        #[serde(default = "view")]
        feature: Feature,
    },
    Offboard {
        #[serde(borrow)]
        user: Cow<'a, str>,
    },
}

fn answer_ref(engine: &Engine, q: &QuestionRef<'_>) -> Result<Answer, QueryError> {
    Ok(match q {
        QuestionRef::Check {
            user,
            device,
            feature,
        } => Answer::Check(Box::new(engine.check(
            engine.find_user(user)?,
            engine.find_device(device)?,
            *feature,
        ))),
        QuestionRef::Visible { user, feature } => {
            Answer::Visible(engine.visible_devices(engine.find_user(user)?, *feature))
        }
        QuestionRef::Who { device, feature } => {
            Answer::Who(engine.who_users(engine.find_device(device)?, *feature))
        }
        QuestionRef::Offboard { user } => {
            Answer::Offboard(engine.offboard(engine.find_user(user)?))
        }
    })
}

/// Answers one line of a batch (`line` is its 1-based number, for errors). `None` for a blank
/// line, which asks nothing.
///
/// ```
/// use tenant_attach::{Engine, batch, sample};
///
/// let engine = Engine::from_json(sample::CONTOSO)?;
/// let q = r#"{"check": {"user": "bob@contoso.com", "device": "CON-WS-004"}}"#;
/// let a = batch::answer_line(&engine, q, 1).unwrap()?;
/// assert!(matches!(a, batch::Answer::Check(d) if d.allowed));
/// let bad = batch::answer_line(&engine, r#"{"check": {"user": "nobody"}}"#, 2).unwrap();
/// assert_eq!(bad.unwrap_err().line, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// A line that is not a question (bad JSON, an unknown key) or that names something the
/// snapshot does not hold; the error names the line.
pub fn answer_line(engine: &Engine, text: &str, line: usize) -> Option<Result<Answer, BatchError>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let q: QuestionRef<'_> = match serde_json::from_str(text) {
        Ok(q) => q,
        Err(e) => {
            return Some(Err(BatchError {
                line,
                message: format!("not a question: {e}"),
            }));
        }
    };
    Some(answer_ref(engine, &q).map_err(|e| BatchError {
        line,
        message: e.to_string(),
    }))
}
