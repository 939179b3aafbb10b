// The Alipay+ addition to `my.tradePay` that `@mini-types/my` (written for Alipay) lacks:
// super apps of the Alipay+ family open their cashier from a `paymentUrl`.
declare namespace my {
  export function tradePay(object: {
    paymentUrl: string;
    success?(data: { resultCode: string }): void;
    fail?(err: { error?: number; errorMessage?: string }): void;
    complete?(arg: { resultCode: string } | { error?: number; errorMessage?: string }): void;
  }): Promise<{ resultCode: string }>;
}
