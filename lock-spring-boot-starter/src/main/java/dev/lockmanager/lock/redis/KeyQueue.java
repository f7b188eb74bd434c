package dev.lockmanager.lock.redis;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * One key's callers in one manager: the lease this manager holds on it, the one caller trying for it in Redis (the
 * contender), and the callers parked behind them, oldest first. Only the contender goes to Redis, so a release wakes
 * at most one caller per process; a holder that releases while callers are parked hands the lease to the oldest one
 * directly, up to the fairness bound, after which the lease goes back to Redis, where processes take turns.
 * <p>
 * Decisions only: the caller of each method does the I/O, never under the lock. The queue leaves its map (it
 * retires) once it holds nothing and no one waits; a caller that finds it retired takes a fresh one.
 */
final class KeyQueue {

	enum Role {

		/** Try in Redis now, as the key's contender. */
		CONTEND,
		/** Wait in the queue. */
		PARKED,
		/** The queue left its map: take a fresh one. */
		RETIRED

	}

	enum Step {

		/** Delete the lease in Redis: no caller of this manager waits for it. */
		RELEASE,
		/** Hand the lease to {@link Handover#next()} in one round trip. */
		HAND_OVER,
		/** Delete the lease in Redis, then send {@link Handover#next()} to contend for it like every other process. */
		YIELD

	}

	/** What a releasing holder does. */
	record Handover(Step step, QueuedCaller next) {

		static final Handover RELEASE = new Handover(Step.RELEASE, null);

	}

	private final ReentrantLock lock = new ReentrantLock();

	private final ArrayDeque<QueuedCaller> parked = new ArrayDeque<>();

	/** The map the queue is in, under {@link #name}: it leaves it when it retires. */
	private final Map<String, KeyQueue> queues;

	private final String name;

	/** The lease this manager holds on the key, as far as the queue knows, or null. */
	private RedisLease holder;

	/** A handoff from {@link #holder} is under way. */
	private boolean handingOver;

	private boolean contending;

	private boolean retired;

	/** Local handoffs since this manager last took the key from Redis, and when that was. */
	private int handoffs;

	private long sliceStartNanos;

	KeyQueue(Map<String, KeyQueue> queues, String name) {
		this.queues = queues;
		this.name = name;
	}

	Role join(QueuedCaller caller) {
		this.lock.lock();
		try {
			if (this.retired) {
				return Role.RETIRED;
			}
			if (this.holder == null && !this.handingOver && !this.contending && this.parked.isEmpty()) {
				this.contending = true;
				return Role.CONTEND;
			}
			this.parked.add(caller);
			return Role.PARKED;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * A lease of this process took the key in Redis: from now on its release may hand it over (unless the queue
	 * retired meanwhile, when no one is left to hand it to).
	 */
	void took(RedisLease lease) {
		this.lock.lock();
		try {
			if (!this.retired) {
				this.holder = lease;
				this.handoffs = 0;
				this.sliceStartNanos = System.nanoTime();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The contender took the key in Redis. A remote client's lease is not handed over (it is released remotely), so
	 * the next parked caller becomes the contender.
	 */
	void won(boolean local) {
		this.lock.lock();
		try {
			this.contending = false;
			if (!local) {
				promoteNext();
			}
			retireIfIdle();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The contender gave up (wait time over, interrupted, too many waiters): the next parked caller takes over.
	 * @return whether a caller of this manager still waits for the key in Redis or holds it
	 */
	boolean contenderLeft() {
		this.lock.lock();
		try {
			this.contending = false;
			if (this.holder == null && !this.handingOver) {
				promoteNext();
			}
			retireIfIdle();
			return this.contending || this.holder != null || this.handingOver;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** A parked caller gave up. */
	void abandoned(QueuedCaller caller) {
		this.lock.lock();
		try {
			this.parked.remove(caller);
			retireIfIdle();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Sends the oldest parked caller to contend when nothing else will: the holder's lease ran out or was lost without
	 * a release that reached this queue, and no one contends.
	 * @return whether {@code caller} was sent
	 */
	boolean promoteIfHolderGone(QueuedCaller caller) {
		this.lock.lock();
		try {
			if (this.parked.peek() != caller || this.contending || this.handingOver
					|| (this.holder != null && !this.holder.isGone())) {
				return false;
			}
			this.holder = null;
			this.parked.poll();
			this.contending = caller.promote();
			retireIfIdle();
			return this.contending;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** How long the holder's lease still runs by this process's clock, or {@code Long.MAX_VALUE} when none. */
	long holderRemainingNanos() {
		this.lock.lock();
		try {
			return (this.holder != null) ? this.holder.validNanos() : Long.MAX_VALUE;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Decides what a holder that releases {@code lease} does. A handoff is chosen while the oldest parked caller may
	 * have one ({@code handsOverTo}), fewer than {@code maxHandoffs} handoffs were made since the key was taken from
	 * Redis and that was less than {@code sliceNanos} ago; past either bound the lease goes back to Redis, so other
	 * processes get their turn.
	 */
	Handover releasing(RedisLease lease, int maxHandoffs, long sliceNanos, Predicate<QueuedCaller> handsOverTo) {
		this.lock.lock();
		try {
			if (this.holder != lease || this.handingOver) {
				return Handover.RELEASE;
			}
			long now = System.nanoTime();
			QueuedCaller next = reserveNext(now);
			if (next == null) {
				this.holder = null;
				retireIfIdle();
				return Handover.RELEASE;
			}
			if (this.handoffs < maxHandoffs && now - this.sliceStartNanos < sliceNanos && handsOverTo.test(next)) {
				this.handoffs++;
				this.handingOver = true;
				return new Handover(Step.HAND_OVER, next);
			}
			this.holder = null;
			this.contending = true;
			return new Handover(Step.YIELD, next);
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The handoff succeeded: {@code next} holds {@code granted}. */
	void handedOver(QueuedCaller next, RedisLease granted) {
		this.lock.lock();
		try {
			this.handingOver = false;
			if (next.local()) {
				this.holder = granted;
			}
			else {
				this.holder = null;
				if (!this.contending) {
					promoteNext();
				}
			}
			next.grant(granted);
			retireIfIdle();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The handoff failed (the holder had lost the lease, or Redis failed): {@code next} contends in Redis. */
	void handOverFailed(QueuedCaller next) {
		this.lock.lock();
		try {
			this.handingOver = false;
			this.holder = null;
			// No one contends while this manager holds the key: the reserved caller becomes the contender
			this.contending = next.promote();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The lease went back to Redis: {@code next}, already counted as the contender, may now try for it. */
	void yielded(QueuedCaller next) {
		next.promote();
	}

	/** A lease of this manager was lost (expired, refused, force-released): its waiters must not wait for it. */
	void lost(RedisLease lease) {
		this.lock.lock();
		try {
			if (this.holder == lease && !this.handingOver) {
				this.holder = null;
				if (!this.contending) {
					promoteNext();
				}
				retireIfIdle();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Under the lock: the oldest parked caller still waiting, reserved; expired ones are dropped. */
	private QueuedCaller reserveNext(long now) {
		QueuedCaller next;
		while ((next = this.parked.poll()) != null) {
			if (next.reserve(now)) {
				return next;
			}
		}
		return null;
	}

	/** Under the lock: sends the oldest parked caller still waiting to contend. */
	private void promoteNext() {
		QueuedCaller next;
		while ((next = this.parked.poll()) != null) {
			if (next.promote()) {
				this.contending = true;
				return;
			}
		}
	}

	private void retireIfIdle() {
		if (!this.retired && this.holder == null && !this.handingOver && !this.contending && this.parked.isEmpty()) {
			this.retired = true;
			this.queues.remove(this.name, this);
		}
	}

}
