package dev.lockmanager.lock.benchmark.sample;

import java.util.Locale;

/**
 * One run: the load on a number of fresh instances, and the item's books read through the service before and after.
 *
 * @param round the round it belongs to, from 1
 * @param instances how many instances shared the load
 * @param load what the load saw
 * @param before the books before the first order
 * @param after the books once the last order was answered
 * @param instancesSurvived whether every instance was still running at the end
 * @param redisSurvived whether the redis-server was still running at the end
 */
record SampleRun(int round, int instances, LoadResult load, OrderApi.Books before, OrderApi.Books after,
		boolean instancesSurvived, boolean redisSurvived) {

	/**
	 * Whether the books balance: every accepted order took exactly one unit off the stock and added one order row,
	 * and nothing else changed them (no oversell, no lost update, no order without its stock).
	 */
	boolean booksBalance() {
		long accepted = this.load.accepted();
		return this.before.stock() - this.after.stock() == accepted
				&& this.after.orders() - this.before.orders() == accepted
				&& this.after.units() - this.before.units() == accepted;
	}

	/**
	 * Whether the run measured what it should: the books balance, no process died, the stock did not run out.
	 */
	boolean valid() {
		return booksBalance() && this.instancesSurvived && this.redisSurvived && this.after.stock() > 0;
	}

	/** The verdict on the books, with the numbers behind it. */
	String verdict() {
		String numbers = String.format(Locale.ROOT, "%d accepted, stock %d -> %d, orders %d -> %d, units %d -> %d",
				this.load.accepted(), this.before.stock(), this.after.stock(), this.before.orders(),
				this.after.orders(), this.before.units(), this.after.units());
		if (!booksBalance()) {
			return "MISMATCH: " + numbers;
		}
		if (!this.instancesSurvived) {
			return "INVALID, an instance died (see its log): " + numbers;
		}
		if (!this.redisSurvived) {
			return "INVALID, the redis-server stopped during the run: " + numbers;
		}
		if (this.after.stock() == 0) {
			return "INVALID, the stock ran out (raise -Dbench.sample.stock): " + numbers;
		}
		return "OK: " + numbers;
	}

}
