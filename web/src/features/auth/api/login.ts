import { type UseMutationOptions, useMutation } from "@tanstack/react-query";
import { useApi } from "../../../lib/api/ApiProvider";
import { type ApiClient, type Schemas, unwrap } from "../../../lib/api/client";

export type LoginInput = Schemas["LoginCreate"];
type Tokens = Schemas["TokenRead"];

/** POST /api/identity/auth/login: tokens, or a problem (e.g. `totp-enrolment-required`). */
export function login(api: ApiClient, input: LoginInput): Promise<Tokens> {
  return unwrap(api.POST("/api/identity/auth/login", { body: input }));
}

export function useLogin(options: Omit<UseMutationOptions<Tokens, Error, LoginInput>, "mutationFn"> = {}) {
  const api = useApi();
  return useMutation({ ...options, mutationFn: (input: LoginInput) => login(api, input) });
}
