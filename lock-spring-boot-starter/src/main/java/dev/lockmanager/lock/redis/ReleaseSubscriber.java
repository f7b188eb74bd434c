package dev.lockmanager.lock.redis;

import java.util.concurrent.CompletableFuture;

/**
 * The subscriber connection behind {@link ReleaseNotifications}, one per manager: classic {@code SUBSCRIBE}
 * ({@link ClassicReleaseSubscriber}) or, on a Redis 7 Cluster, sharded {@code SSUBSCRIBE}
 * ({@link ShardedReleaseSubscriber}). Its methods are called under the notifications' lock, except
 * {@link #isLost(String)}; it reports to its {@link Listener} on Redis client threads.
 */
interface ReleaseSubscriber extends AutoCloseable {

	/**
	 * Subscribes to a release channel, unless it is subscribed already or being subscribed.
	 * @param channel the release channel of a key
	 * @return completes once Redis confirmed the subscription, or exceptionally within the command timeout
	 */
	CompletableFuture<Void> subscribe(String channel);

	/**
	 * Whether a subscription that waiters rely on is gone and must be made again: Redis ended it, its connection is
	 * down for good, or it could not be made. Answered from memory, without I/O.
	 * @param channel a channel with local waiters
	 * @return whether {@link #subscribe(String)} should be called again
	 */
	boolean isLost(String channel);

	/**
	 * Unsubscribes from a channel that no local waiter needs any more.
	 * @param channel the release channel of a key
	 */
	void unsubscribe(String channel);

	/**
	 * Closes the subscriber connection.
	 */
	@Override
	void close();

	/**
	 * Receives what the subscriber hears, on a Redis client thread where nothing may block.
	 */
	interface Listener {

		/**
		 * A lease was released: its channel received a message.
		 * @param channel the release channel
		 * @param message {@code <process>:<ms>} when the free key is promised to that process for that long (see
		 * {@code release.lua}), empty when it is free for all
		 */
		void released(String channel, String message);

		/**
		 * Redis ended a subscription this side had not ended, as it does when the channel's slot moves to another
		 * master (a resharding or a failover).
		 * @param channel the release channel
		 */
		void lost(String channel);

	}

}
