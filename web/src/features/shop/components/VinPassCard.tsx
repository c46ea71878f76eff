import { useState } from "react";
import { VinInput } from "../../../components/VinInput";
import type { Product } from "../api/types";
import { lineKey } from "../cart";
import { useCart } from "../hooks/useCart";
import { AddButton, ProductCard } from "./ProductCard";

/** A per-VIN pass in the shop: it needs the VIN it is for before it can go into the cart. */
export function VinPassCard({ product }: { product: Product }) {
  const cart = useCart();
  const [vin, setVin] = useState("");
  const [valid, setValid] = useState(false);
  const inCart = valid && cart.lines.some((line) => lineKey(line) === lineKey({ product_code: product.code, vin }));
  return (
    <ProductCard
      product={product}
      detail={
        <VinInput
          value={vin}
          onChange={(next, ok) => {
            setVin(next);
            setValid(ok);
          }}
        />
      }
      action={<AddButton product={product} inCart={inCart} disabled={!valid || !cart.ready || inCart} onAdd={() => cart.add(product, { vin })} />}
    />
  );
}
