package dev.lockmanager.lock.redis;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Wakes local waiters when a lease they wait for is released. One subscriber connection serves the whole manager;
 * it is subscribed to the release channel of each key that has local waiters, and unsubscribed when the last waiter of
 * a key leaves. Classic pub/sub, or sharded pub/sub on a Redis 7 Cluster (see {@link ShardedPubSub}).
 * <p>
 * A waiter's subscription is confirmed by Redis before its next attempt, so it cannot miss a release that happens
 * after that attempt. When Redis cannot be reached, waiters register without a subscription and rely on their
 * backoff. A sharded subscription that Redis ended (its slot moved) or that is no longer on its slot's master is made
 * again by a waiter of its key, woken for it, which then tries at once.
 */
final class ReleaseNotifications implements ReleaseSubscriber.Listener, AutoCloseable {

	private static final Log logger = LogFactory.getLog(ReleaseNotifications.class);

	private static final Duration RETRY_SUBSCRIPTION_AFTER = Duration.ofSeconds(1);

	/** How often a waiter looks at its subscription (from memory: {@link ReleaseSubscriber#isLost}). */
	private static final Duration CHECK_SUBSCRIPTION_EVERY = Duration.ofSeconds(1);

	private final ReleaseSubscriber subscriber;

	/** Local waiters per release channel, oldest first. */
	private final Map<String, Queue<Waiter>> waitersByChannel = new ConcurrentHashMap<>();

	/** Orders (un)subscribing with the waiter queues (not synchronized: classic subscriptions do I/O under it). */
	private final ReentrantLock subscriptionLock = new ReentrantLock();

	/**
	 * After a failed (un)subscribe or acquisition attempt, waiters skip the I/O until then (monotonic clock), so that
	 * an unreachable Redis does not make every waiter wait for it in turn under the lock. Written without the lock by
	 * {@link #unreachable()}, which must not wait for a holder of the lock stuck in I/O.
	 */
	private volatile long retrySubscriptionAt = System.nanoTime();

	/** This process in the keys' lines (see {@link RedisLeaseStore}), or null in quorum mode, which has none. */
	private final String process;

	/**
	 * @param process this process in the keys' lines: a release that promises the key to another process wakes no
	 * waiter of this one until the promise has run out
	 */
	ReleaseNotifications(RedisConnectionFactory connectionFactory, boolean sharded, String keyPrefix,
			String process) {
		this.subscriber = sharded ? new ShardedReleaseSubscriber((LettuceConnectionFactory) connectionFactory, this)
				: new ClassicReleaseSubscriber(connectionFactory, this, keyPrefix);
		this.process = process;
	}

	/**
	 * Notifications in quorum mode: subscribed on a majority of the nodes.
	 */
	ReleaseNotifications(List<RedisConnectionFactory> quorumNodes, String keyPrefix) {
		this.subscriber = new QuorumReleaseSubscriber(quorumNodes, this, keyPrefix);
		this.process = null;
	}

	/**
	 * Registers a waiter for the release channel of a key and returns once the channel is subscribed, or could not
	 * be; close the waiter when done waiting.
	 */
	Waiter register(String channel) {
		Waiter waiter = new Waiter(channel);
		CompletableFuture<Void> subscribed;
		this.subscriptionLock.lock();
		try {
			this.waitersByChannel.computeIfAbsent(channel, (key) -> new ConcurrentLinkedQueue<>()).add(waiter);
			subscribed = subscribe(channel);
		}
		finally {
			this.subscriptionLock.unlock();
		}
		// Outside the lock: a sharded subscription to one master does not hold up waiters of other masters
		awaitSubscribed(channel, subscribed, Long.MAX_VALUE);
		return waiter;
	}

	/**
	 * Under the lock: starts subscribing, unless a recent failure says to skip it.
	 * @return the confirmation, or {@code null} when skipped
	 */
	private CompletableFuture<Void> subscribe(String channel) {
		if (System.nanoTime() - this.retrySubscriptionAt < 0) {
			return null;
		}
		CompletableFuture<Void> subscribed = this.subscriber.subscribe(channel);
		if (subscribed.isCompletedExceptionally()) {
			subscriptionFailed();
		}
		return subscribed;
	}

	/**
	 * Waits up to {@code nanos} for the confirmation.
	 * @return whether the channel is subscribed
	 */
	private boolean awaitSubscribed(String channel, CompletableFuture<Void> subscribed, long nanos) {
		if (subscribed == null) {
			return false;
		}
		try {
			subscribed.get(nanos, TimeUnit.NANOSECONDS);
			return true;
		}
		catch (ExecutionException ex) {
			subscriptionFailed();
			logger.debug("Could not subscribe to " + channel + "; waiters fall back to polling", ex.getCause());
			return false;
		}
		catch (TimeoutException ex) {
			return false; // the waiter's pause is over; the subscription completes or fails on its own
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Redis could not be reached by an acquisition attempt: for a while waiters neither subscribe nor unsubscribe (they
	 * rely on their backoff, as after a failed subscription), so that a waiter whose attempts are bounded by its
	 * deadline is not held past it by a subscription's command timeout.
	 */
	void unreachable() {
		this.retrySubscriptionAt = System.nanoTime() + RETRY_SUBSCRIPTION_AFTER.toNanos();
	}

	private void subscriptionFailed() {
		this.subscriptionLock.lock();
		try {
			this.retrySubscriptionAt = System.nanoTime() + RETRY_SUBSCRIPTION_AFTER.toNanos();
		}
		finally {
			this.subscriptionLock.unlock();
		}
	}

	/**
	 * Subscribes again to a channel whose subscription was lost, waiting at most {@code nanos}. Gives up at once when
	 * the lock is taken: whoever holds it may be waiting for an unreachable Redis.
	 * @return whether the subscription was made again
	 */
	private boolean restore(String channel, long nanos) {
		if (!this.subscriptionLock.tryLock()) {
			return false;
		}
		CompletableFuture<Void> subscribed;
		try {
			subscribed = this.waitersByChannel.containsKey(channel) ? subscribe(channel) : null;
		}
		finally {
			this.subscriptionLock.unlock();
		}
		return awaitSubscribed(channel, subscribed, nanos);
	}

	private void unregister(Waiter waiter) {
		this.subscriptionLock.lock();
		try {
			Queue<Waiter> waiters = this.waitersByChannel.get(waiter.channel);
			waiters.remove(waiter);
			Waiter next = waiters.peek();
			if (next != null && waiter.wakeUps.availablePermits() > 0) {
				next.wake(); // it was woken but leaves without using the release: pass it on
			}
			if (waiters.isEmpty()) {
				this.waitersByChannel.remove(waiter.channel);
				unsubscribe(waiter.channel);
			}
		}
		finally {
			this.subscriptionLock.unlock();
		}
	}

	private void unsubscribe(String channel) {
		if (System.nanoTime() - this.retrySubscriptionAt < 0) {
			return;
		}
		try {
			this.subscriber.unsubscribe(channel);
		}
		catch (RuntimeException ex) {
			this.retrySubscriptionAt = System.nanoTime() + RETRY_SUBSCRIPTION_AFTER.toNanos();
			logger.debug("Could not unsubscribe from " + channel, ex);
		}
	}

	/**
	 * Wakes the oldest local waiter of the released key: one release frees one lease, so waking every waiter would
	 * only send them all to Redis at once. A woken waiter that loses to another instance waits for the next release.
	 * A key promised to another process wakes no one now: the oldest waiter tries when the promise runs out, unless a
	 * release wakes it first.
	 */
	@Override
	public void released(String channel, String message) {
		Queue<Waiter> waiters = this.waitersByChannel.get(channel);
		Waiter oldest = (waiters != null) ? waiters.peek() : null;
		if (oldest == null) {
			return;
		}
		int colon = message.lastIndexOf(':');
		if (colon < 0 || message.substring(0, colon).equals(this.process)) {
			oldest.wake();
			return;
		}
		try {
			long promisedMillis = Long.parseLong(message.substring(colon + 1));
			oldest.promisedElsewhere(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(promisedMillis));
		}
		catch (NumberFormatException ex) {
			oldest.wake();
		}
	}

	/**
	 * Wakes the oldest waiter of the channel, which subscribes again before it sleeps: until then, releases of its
	 * key go unheard.
	 */
	@Override
	public void lost(String channel) {
		wakeOldest(channel);
	}

	private void wakeOldest(String channel) {
		Queue<Waiter> waiters = this.waitersByChannel.get(channel);
		Waiter oldest = (waiters != null) ? waiters.peek() : null;
		if (oldest != null) {
			oldest.wake();
		}
	}

	@Override
	public void close() {
		this.subscriptionLock.lock();
		try {
			this.subscriber.close();
		}
		finally {
			this.subscriptionLock.unlock();
		}
	}

	/**
	 * One waiting caller, on its own thread: sleeps until woken by a release of its key or until its timeout.
	 */
	final class Waiter implements AutoCloseable {

		private final String channel;

		private final Semaphore wakeUps = new Semaphore(0);

		/** A release this waiter may take happened since the last wake-up. */
		private volatile boolean released;

		/** When a key promised to another process since the last wake-up stops being promised, or 0. */
		private volatile long promisedUntil;

		/** Whether the last {@link #await(long)} made a lost subscription again and returned at once. */
		private boolean returnedAfterRestoring;

		private Waiter(String channel) {
			this.channel = channel;
		}

		/**
		 * Waits up to {@code nanos} for a release; a release since the last await returns at once; a release that
		 * promised the key to another process shortens the wait to the end of the promise. When the key's
		 * subscription was lost, makes it again and returns at once, as a release may have gone unheard meanwhile
		 * (not twice in a row, so that a subscription Redis keeps ending cannot turn waiting into a busy loop); if it
		 * cannot be made, tries again every second rather than sleep through the whole pause unsubscribed. The
		 * subscription is checked every second even when no one reports it lost: on a Cluster, one made while Lettuce
		 * still routed its slot to a former master is found out only once Lettuce's view of the cluster changes.
		 */
		void await(long nanos) throws InterruptedException {
			long deadline = System.nanoTime() + nanos;
			while (true) {
				boolean restored = ReleaseNotifications.this.subscriber.isLost(this.channel)
						&& restore(this.channel, deadline - System.nanoTime());
				if (restored && !this.returnedAfterRestoring) {
					this.returnedAfterRestoring = true;
					return;
				}
				this.returnedAfterRestoring = false;
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					if (Thread.interrupted()) {
						throw new InterruptedException(); // while it waited for the subscription
					}
					return;
				}
				long slice = Math.min(left, CHECK_SUBSCRIPTION_EVERY.toNanos());
				if (this.wakeUps.tryAcquire(slice, TimeUnit.NANOSECONDS)) {
					this.wakeUps.drainPermits();
					if (this.released) {
						this.released = false;
						return;
					}
					deadline = Math.min(deadline, this.promisedUntil);
					continue;
				}
				if (slice == left) {
					return;
				}
			}
		}

		private void wake() {
			this.released = true;
			this.wakeUps.release();
		}

		private void promisedElsewhere(long untilNanos) {
			this.promisedUntil = untilNanos;
			this.wakeUps.release();
		}

		@Override
		public void close() {
			unregister(this);
		}

	}

}
