use std::time::{Duration, Instant};

use application::ports::CacheError;
use fred::prelude::{Client, ClientLike, EventInterface, PubsubInterface};
use fred::types::Message;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use super::{Announcement, InstanceMemory};
use crate::redis::redis_builder;

/// How often each instance says on the channel that it is alive.
const HEARTBEAT: Duration = Duration::from_millis(250);
/// A channel silent for this long (not even our own heartbeat came back) may
/// be a stalled connection that no error reports: the cache goes deaf until
/// something is heard again. This bounds how long an instance can answer
/// from memory after a change it did not hear.
const SILENCE_LIMIT: Duration = Duration::from_secs(1);

/// Account changes shared between instances on a Redis pub/sub channel.
///
/// Pub/sub keeps nothing for a subscriber that is away, so this instance
/// answers from memory only while its subscription is up and heard from: a
/// lost connection or a silent channel makes the cache deaf (every check
/// reads the database), and hearing again starts it empty.
pub struct RedisAccountChanges {
    publisher: Client,
    subscriber: Client,
    channel: String,
    tasks: [JoinHandle<()>; 2],
}

impl RedisAccountChanges {
    /// Starts connecting and listening, and returns at once; `memory` stays
    /// deaf until the subscription is confirmed.
    pub fn start(
        url: &str,
        prefix: &str,
        memory: InstanceMemory,
        command_timeout: Duration,
    ) -> Result<Self, CacheError> {
        memory.set_listening(false);
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
        let listener = tokio::spawn(listen(subscriber.clone(), channel.clone(), memory, events));
        let heartbeat = tokio::spawn(beat(publisher.clone(), channel.clone()));
        Ok(Self { publisher, subscriber, channel, tasks: [listener, heartbeat] })
    }

    /// Tells the other instances what changed. A failure is logged and
    /// not returned: the change itself is stored, and the instances that
    /// missed the announcement are those cut off from Redis, which do not
    /// answer from memory until they are back, and then start empty.
    pub async fn publish(&self, announcement: Announcement) {
        if let Err(error) = self.publisher.publish::<i64, _, _>(self.channel.as_str(), announcement.encode()).await {
            tracing::warn!(%error, "could not announce an account change to the other instances");
        }
    }

    pub async fn quit(&self) {
        for task in &self.tasks {
            task.abort();
        }
        let _ = self.subscriber.quit().await;
        let _ = self.publisher.quit().await;
    }
}

struct SubscriberEvents {
    connections: tokio::sync::broadcast::Receiver<fred::types::config::Server>,
    errors: tokio::sync::broadcast::Receiver<(fred::error::Error, Option<fred::types::config::Server>)>,
    messages: tokio::sync::broadcast::Receiver<Message>,
}

async fn beat(publisher: Client, channel: String) {
    let mut ticks = tokio::time::interval(HEARTBEAT);
    loop {
        ticks.tick().await;
        // A lost beat is what the listeners watch for; nothing to do here.
        let _ = publisher.publish::<i64, _, _>(channel.as_str(), Announcement::Heartbeat.encode()).await;
    }
}

/// What the listener knows of its subscription.
struct Hearing {
    subscribed: bool,
    last_heard: Instant,
}

async fn listen(subscriber: Client, channel: String, cache: InstanceMemory, mut events: SubscriberEvents) {
    let mut hearing = Hearing { subscribed: false, last_heard: Instant::now() };
    // Checks for silence, and tries again a subscription refused on a connection that stays up.
    let mut ticks = tokio::time::interval(HEARTBEAT);
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                if !hearing.subscribed && subscriber.is_connected() {
                    subscribe(&subscriber, &channel, &cache, &mut hearing).await;
                } else if hearing.subscribed && cache.is_listening() && hearing.last_heard.elapsed() > SILENCE_LIMIT {
                    tracing::warn!("the account-change channel fell silent; checking every token in the database until it is heard again");
                    cache.set_listening(false);
                }
            }
            connection = events.connections.recv() => match connection {
                Ok(_) | Err(RecvError::Lagged(_)) => subscribe(&subscriber, &channel, &cache, &mut hearing).await,
                Err(RecvError::Closed) => break,
            },
            error = events.errors.recv() => match error {
                Ok((error, _)) => {
                    if cache.is_listening() {
                        tracing::warn!(%error, "lost the account-change channel; checking every token in the database until it is back");
                    }
                    hearing.subscribed = false;
                    cache.set_listening(false);
                }
                Err(RecvError::Lagged(_)) => {
                    hearing.subscribed = false;
                    cache.set_listening(false);
                }
                Err(RecvError::Closed) => break,
            },
            message = events.messages.recv() => match message {
                Ok(message) if message.channel == channel.as_str() => {
                    hearing.last_heard = Instant::now();
                    if hearing.subscribed && !cache.is_listening() {
                        tracing::info!("the account-change channel is heard again");
                        cache.set_listening(true);
                    }
                    cache.hear(message.value.as_str().as_deref().and_then(Announcement::decode));
                }
                Ok(_) => {}
                // Announcements were dropped: which accounts they named is unknown.
                Err(RecvError::Lagged(_)) => cache.missed(),
                Err(RecvError::Closed) => break,
            },
        }
    }
    cache.set_listening(false);
}

async fn subscribe(subscriber: &Client, channel: &str, cache: &InstanceMemory, hearing: &mut Hearing) {
    match subscriber.subscribe(channel).await {
        Ok(()) => {
            *hearing = Hearing { subscribed: true, last_heard: Instant::now() };
            cache.set_listening(true);
            tracing::info!("listening for account changes of the other instances");
        }
        Err(error) => {
            hearing.subscribed = false;
            cache.set_listening(false);
            tracing::warn!(%error, "could not subscribe to the account-change channel; retrying");
        }
    }
}
