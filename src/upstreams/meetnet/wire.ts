// Meetnet Vlaamse Banken API v2, spelled as the API spells it (contract: CONTRACT.md).

export interface MessageModel {
  Culture: string; // 'nl-BE' | 'fr-BE' | 'en-GB' (fr-BE removed in 2022)
  Message: string;
}

export interface CustomerModel {
  FullName: string;
  Login: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  userName?: string | null;
  '.issued'?: string | null;
  '.expires'?: string | null;
}

export interface PingResponse {
  Customer: CustomerModel | null;
}

export interface LocationModel {
  ID: string;
  Name: MessageModel[];
  Description?: MessageModel[] | null;
  PositionWKT: string; // 'POINT (<lon> <lat>)'
}

export interface ParameterModel {
  ID: string;
  Name: MessageModel[];
  Unit: string;
  ParameterTypeID: number;
  MaxValue?: number | null;
  MinValue?: number | null;
}

export interface ParameterTypeModel {
  ID: number;
  SortOrder: number;
  Name: MessageModel[];
}

export interface LocationParameterModel {
  ID: string; // Location + Parameter, e.g. 'MP7WVC'
  Location: string;
  Parameter: string;
  CurrentInterval: number; // minutes; 0 = not measured at present
  Publications: string[];
}

export interface CatalogResponse {
  Customer: CustomerModel | null;
  Locations: LocationModel[];
  Parameters: ParameterModel[];
  /** A dictionary keyed by the type ID as a string, not an array. */
  ParameterTypes: Record<string, ParameterTypeModel>;
  AvailableData: LocationParameterModel[];
  ProjectionWKT: string;
}

export interface CurrentDataItem {
  ID: string;
  Timestamp: string; // 'yyyy-MM-ddTHH:mm:ss+00:00'
  Value: number | null;
}

export type CurrentDataResponse = CurrentDataItem[];

export interface GetDataRequest {
  StartTime: string;
  EndTime: string;
  IDs: string[];
}

export interface GetDataPoint {
  Timestamp: string;
  Value: number | null;
}

export interface LPData {
  ID: string;
  StartTime: string | null;
  EndTime: string | null;
  MinValue: number | null;
  MaxValue: number | null;
  Values: GetDataPoint[] | null;
}

export interface GetDataResponse {
  StartTime: string | null;
  EndTime: string | null;
  Intervals: number[] | null;
  Values: LPData[] | null;
}

/** Every error body the API sends is an object with a `Message` string. */
export interface ErrorBody {
  Message: string;
}

export const MEETNET_401_MESSAGE = 'Authorization has been denied for this request.';
export const MEETNET_LOGIN_FAILED_MESSAGE = 'Login failed';
/** Only a 365-day span is allowed per getData request ("not 1 year!"). */
export const MEETNET_MAX_SPAN_DAYS = 365;
