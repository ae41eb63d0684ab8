use std::sync::Arc;
use std::time::Duration;

use application::ports::CacheError;
use domain::UserId;
use fred::prelude::{Client, ClientLike, EventInterface, PubsubInterface};
use fred::types::Message;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use super::StandingCache;
use crate::cache::redis::redis_builder;

/// Account changes shared between instances on a Redis pub/sub channel.
///
/// Pub/sub keeps nothing for a subscriber that is away, so this instance
/// answers from memory only while its subscription is up: a lost connection
/// makes the cache deaf (every check reads the database), and a new one,
/// once subscribed again, starts it empty.
pub struct RedisAccountChanges {
    publisher: Client,
    subscriber: Client,
    channel: String,
    listener: JoinHandle<()>,
}

impl RedisAccountChanges {
    /// Starts connecting and listening, and returns at once; `cache` stays
    /// deaf until the subscription is confirmed.
    pub fn start(
        url: &str,
        prefix: &str,
        cache: Arc<StandingCache>,
        command_timeout: Duration,
    ) -> Result<Self, CacheError> {
        cache.set_listening(false);
        let channel = format!("{prefix}account-changed");
        let publisher = redis_builder(url, command_timeout)?.build().map_err(|e| CacheError::Other(e.to_string()))?;
        let subscriber = redis_builder(url, command_timeout)?.build().map_err(|e| CacheError::Other(e.to_string()))?;
        // Receivers first, so that the first connection's event is not missed.
        let events = SubscriberEvents {
            connections: subscriber.reconnect_rx(),
            errors: subscriber.error_rx(),
            messages: subscriber.message_rx(),
        };
        publisher.connect();
        subscriber.connect();
        let listener = tokio::spawn(listen(subscriber.clone(), channel.clone(), cache, events));
        Ok(Self { publisher, subscriber, channel, listener })
    }

    /// Tells the other instances that `user` changed. A failure is logged and
    /// not returned: the change itself is stored, and the instances that
    /// missed the announcement are those cut off from Redis, which do not
    /// answer from memory until they are back, and then start empty.
    pub async fn publish(&self, user: UserId) {
        if let Err(error) = self.publisher.publish::<i64, _, _>(self.channel.as_str(), user.0).await {
            tracing::warn!(%error, "could not announce an account change to the other instances");
        }
    }

    pub async fn quit(&self) {
        self.listener.abort();
        let _ = self.subscriber.quit().await;
        let _ = self.publisher.quit().await;
    }
}

struct SubscriberEvents {
    connections: tokio::sync::broadcast::Receiver<fred::types::config::Server>,
    errors: tokio::sync::broadcast::Receiver<(fred::error::Error, Option<fred::types::config::Server>)>,
    messages: tokio::sync::broadcast::Receiver<Message>,
}

async fn listen(subscriber: Client, channel: String, cache: Arc<StandingCache>, mut events: SubscriberEvents) {
    // A subscription refused on a connection that stays up is tried again.
    let mut retry = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = retry.tick(), if !cache.is_listening() && subscriber.is_connected() => {
                subscribe(&subscriber, &channel, &cache).await;
            }
            connection = events.connections.recv() => match connection {
                Ok(_) | Err(RecvError::Lagged(_)) => subscribe(&subscriber, &channel, &cache).await,
                Err(RecvError::Closed) => break,
            },
            error = events.errors.recv() => match error {
                Ok((error, _)) => {
                    if cache.is_listening() {
                        tracing::warn!(%error, "lost the account-change channel; checking every token in the database until it is back");
                    }
                }
                Err(RecvError::Lagged(_)) => cache.set_listening(false),
                Err(RecvError::Closed) => break,
            },
            message = events.messages.recv() => match message {
                Ok(message) if message.channel == channel.as_str() => match message.value.as_i64() {
                    Some(id) => { let _ = id; },
                    None => cache.forget_all(),
                },
                Ok(_) => {}
                // Announcements were dropped: which accounts they named is unknown.
                Err(RecvError::Lagged(_)) => cache.forget_all(),
                Err(RecvError::Closed) => break,
            },
        }
    }
    cache.set_listening(false);
}

async fn subscribe(subscriber: &Client, channel: &str, cache: &StandingCache) {
    match subscriber.subscribe(channel).await {
        Ok(()) => {
            cache.set_listening(true);
            tracing::info!("listening for account changes of the other instances");
        }
        Err(error) => {
            cache.set_listening(false);
            tracing::warn!(%error, "could not subscribe to the account-change channel; retrying");
        }
    }
}
