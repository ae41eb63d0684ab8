//! The outbox, where its messages are sent, and the development outbox that
//! shows codes and captcha answers while it is on.

use std::sync::Arc;

use application::ports::{CaptchaStore, Channel, MessageOutbox, MessageSender};
use application::ports::{OutboxFeed, ProviderAttempts};
use providers::messaging::{
    AliyunSmsSender, ChannelRouter, DevMessageSender, DevOutbox, FailoverSender, RecordingCaptchaStore,
    RecordingMessageOutbox, SmtpMessageSender, TencentSmsSender,
};
use storage::Database;
use tokio::sync::Notify;

use crate::config::{Config, ConfigError, RealSmsProvider};
use crate::server::StartError;

pub(super) struct Messaging {
    /// Where use cases queue messages.
    pub outbox: Arc<dyn MessageOutbox>,
    /// The outbox as the delivery worker claims and settles it.
    pub delivered_outbox: Arc<dyn MessageOutbox>,
    /// Notified on every enqueue, so the worker of this instance sends at once.
    pub outbox_wakeup: Arc<Notify>,
    pub router: Arc<dyn MessageSender>,
    pub dev_outbox: Option<Arc<DevOutbox>>,
    /// The cache's captchas, recorded in the development outbox while it is on.
    pub captchas: Arc<dyn CaptchaStore>,
}

impl Messaging {
    /// `attempts` also records each SMS provider's try (the metrics); the outbox row always does.
    pub fn wire(
        config: &Config,
        database: &Database,
        captchas: Arc<dyn CaptchaStore>,
        attempts: Arc<dyn ProviderAttempts>,
    ) -> Result<Self, StartError> {
        let attempts = vec![database.provider_attempts(), attempts];
        let senders = open_senders(config, Arc::new(database.outbox_feed()), attempts)?;
        let captchas: Arc<dyn CaptchaStore> = match &senders.dev_outbox {
            Some(dev_outbox) => Arc::new(RecordingCaptchaStore::new(captchas, dev_outbox.clone())),
            // With the outbox off no captcha answer may be readable anywhere.
            None => captchas,
        };
        let outbox_wakeup = Arc::new(Notify::new());
        let outbox = database.outbox(outbox_wakeup.clone());
        // While the development outbox is on it keeps what the worker claims, as settling wipes it from the row.
        let delivered_outbox: Arc<dyn MessageOutbox> = match &senders.dev_outbox {
            Some(dev_outbox) => Arc::new(RecordingMessageOutbox::new(outbox.clone(), dev_outbox.clone())),
            None => outbox.clone(),
        };
        Ok(Self {
            outbox,
            delivered_outbox,
            outbox_wakeup,
            router: senders.router,
            dev_outbox: senders.dev_outbox,
            captchas,
        })
    }
}

/// Where outgoing messages go, and the development outbox when it is on.
struct Senders {
    router: Arc<dyn MessageSender>,
    dev_outbox: Option<Arc<DevOutbox>>,
}

/// SMTP when `SMTP_HOST` is set and the real SMS providers `SMS_PROVIDER` names, in its order;
/// otherwise that channel goes to the development adapter, which shows codes
/// only while the development outbox is on (see [`Config::dev_outbox_decision`]).
fn open_senders(
    config: &Config,
    outbox_feed: Arc<dyn OutboxFeed>,
    attempts: Vec<Arc<dyn ProviderAttempts>>,
) -> Result<Senders, StartError> {
    let smtp = config.smtp_settings()?;
    let sms_dev = config.sms_provider.is_dev();
    let (outbox_on, reason) = config.dev_outbox_decision(sms_dev, smtp.is_none());
    let dev_channels = [(Channel::Sms, sms_dev), (Channel::Email, smtp.is_none())]
        .into_iter()
        .filter_map(|(channel, dev)| dev.then_some(channel))
        .collect();
    let dev_outbox = outbox_on.then(|| Arc::new(DevOutbox::new(DevOutbox::DEFAULT_KEEP, outbox_feed, dev_channels)));
    if outbox_on {
        tracing::warn!(
            reason,
            "development outbox ON: captcha answers and codes of the development adapter are shown at /dev/outbox/ \
             (direct loopback requests only) and logged"
        );
    } else {
        tracing::info!(reason, "development outbox off: /dev/outbox/ answers 404 and no code is logged");
    }
    let dev: Arc<dyn MessageSender> = Arc::new(DevMessageSender::new(dev_outbox.clone()));
    let email: Arc<dyn MessageSender> = match smtp {
        Some(settings) => {
            tracing::info!(host = %settings.host, port = settings.port, tls = settings.tls.as_str(), "sending mail through SMTP");
            Arc::new(SmtpMessageSender::new(settings).map_err(|e| ConfigError::Invalid(format!("SMTP: {e}")))?)
        }
        None => {
            tracing::warn!("development mail adapter in use: mail is not sent");
            dev.clone()
        }
    };
    let sms: Arc<dyn MessageSender> = if sms_dev {
        tracing::warn!("development SMS adapter in use: SMS is not sent");
        dev
    } else {
        let mut providers = Vec::new();
        for provider in config.sms_provider.providers() {
            providers.push((provider.as_str(), open_sms_provider(config, *provider)?));
        }
        tracing::info!(providers = %config.sms_provider, "sending SMS through these providers, in this order");
        Arc::new(FailoverSender::new(providers, attempts))
    };
    Ok(Senders { router: Arc::new(ChannelRouter::new(sms, email)), dev_outbox })
}

/// One real SMS provider, from its settings.
fn open_sms_provider(config: &Config, provider: RealSmsProvider) -> Result<Arc<dyn MessageSender>, StartError> {
    let not_configured =
        || ConfigError::Invalid(format!("SMS_PROVIDER names {} without its settings", provider.as_str()));
    Ok(match provider {
        RealSmsProvider::Tencent => {
            let settings = config.tencent_sms_settings()?.ok_or_else(not_configured)?;
            tracing::info!(endpoint = %settings.endpoint, region = %settings.region, "Tencent Cloud SMS");
            Arc::new(
                TencentSmsSender::new(settings).map_err(|e| ConfigError::Invalid(format!("Tencent Cloud SMS: {e}")))?,
            )
        }
        RealSmsProvider::Aliyun => {
            let settings = config.aliyun_sms_settings()?.ok_or_else(not_configured)?;
            tracing::info!(endpoint = %settings.endpoint, "Alibaba Cloud SMS");
            Arc::new(
                AliyunSmsSender::new(settings).map_err(|e| ConfigError::Invalid(format!("Alibaba Cloud SMS: {e}")))?,
            )
        }
    })
}
