import type {Unit} from '../src/model/unit.js'

/**
 * The units of the bench's estate (npm run bench:rollup): a fifth of the sites are departments of the ministry
 * (`bo-noi-vu/<department>`), the rest provincial offices (`tinh/<province>/<office>`), named in Vietnamese with their
 * diacritics and in English. 20 departments and 63 provinces and cities; past 63 provincial sites, a second office.
 */

const DEPARTMENTS: readonly [vi: string, en: string][] = [
  ['Vụ Tổ chức cán bộ', 'Department of Personnel and Organisation'],
  ['Vụ Kế hoạch - Tài chính', 'Department of Planning and Finance'],
  ['Vụ Pháp chế', 'Department of Legal Affairs'],
  ['Vụ Hợp tác quốc tế', 'Department of International Cooperation'],
  ['Vụ Công chức - Viên chức', 'Department of Civil Servants and Public Employees'],
  ['Vụ Chính quyền địa phương', 'Department of Local Government'],
  ['Vụ Tổ chức - Biên chế', 'Department of Organisation and Staffing'],
  ['Vụ Tiền lương', 'Department of Salaries'],
  ['Vụ Cải cách hành chính', 'Department of Administrative Reform'],
  ['Vụ Công tác thanh niên', 'Department of Youth Affairs'],
  ['Vụ Tổ chức phi chính phủ', 'Department of Non-Governmental Organisations'],
  ['Văn phòng Bộ', 'Ministry Office'],
  ['Thanh tra Bộ', 'Ministry Inspectorate'],
  ['Cục Văn thư và Lưu trữ nhà nước', 'State Records and Archives Department'],
  ['Ban Thi đua - Khen thưởng Trung ương', 'Central Commission for Emulation and Commendation'],
  ['Ban Tôn giáo Chính phủ', 'Government Committee for Religious Affairs'],
  ['Trung tâm Thông tin', 'Information Centre'],
  ['Tạp chí Tổ chức nhà nước', 'State Organisation Review'],
  ['Viện Khoa học tổ chức nhà nước', 'Institute of State Organisational Sciences'],
  ['Học viện Hành chính Quốc gia', 'National Academy of Public Administration'],
]

const CITIES = ['Hà Nội', 'Hồ Chí Minh', 'Hải Phòng', 'Đà Nẵng', 'Cần Thơ']
const PROVINCES = [
  ...CITIES,
  'An Giang', 'Bà Rịa - Vũng Tàu', 'Bắc Giang', 'Bắc Kạn', 'Bạc Liêu', 'Bắc Ninh', 'Bến Tre', 'Bình Định', 'Bình Dương',
  'Bình Phước', 'Bình Thuận', 'Cà Mau', 'Cao Bằng', 'Đắk Lắk', 'Đắk Nông', 'Điện Biên', 'Đồng Nai', 'Đồng Tháp', 'Gia Lai',
  'Hà Giang', 'Hà Nam', 'Hà Tĩnh', 'Hải Dương', 'Hậu Giang', 'Hòa Bình', 'Hưng Yên', 'Khánh Hòa', 'Kiên Giang', 'Kon Tum',
  'Lai Châu', 'Lâm Đồng', 'Lạng Sơn', 'Lào Cai', 'Long An', 'Nam Định', 'Nghệ An', 'Ninh Bình', 'Ninh Thuận', 'Phú Thọ',
  'Phú Yên', 'Quảng Bình', 'Quảng Nam', 'Quảng Ngãi', 'Quảng Ninh', 'Quảng Trị', 'Sóc Trăng', 'Sơn La', 'Tây Ninh',
  'Thái Bình', 'Thái Nguyên', 'Thanh Hóa', 'Thừa Thiên Huế', 'Tiền Giang', 'Trà Vinh', 'Tuyên Quang', 'Vĩnh Long',
  'Vĩnh Phúc', 'Yên Bái',
]

const OFFICES: readonly [slug: string, vi: string, en: string][] = [
  ['so-noi-vu', 'Sở Nội vụ', 'Department of Home Affairs'],
  ['so-thong-tin-va-truyen-thong', 'Sở Thông tin và Truyền thông', 'Department of Information and Communications'],
  ['so-tai-chinh', 'Sở Tài chính', 'Department of Finance'],
]

const MINISTRY = {path: 'bo-noi-vu', vi: 'Bộ Nội vụ', en: 'Ministry of Home Affairs'}
const PROVINCES_ROOT = {path: 'tinh', vi: 'Các tỉnh, thành phố', en: 'Provinces and cities'}

/** A path segment from a Vietnamese name: `Bà Rịa - Vũng Tàu` → `ba-ria-vung-tau`. */
function slug(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
}

/** The unit of site i of `sites`: departments first (a fifth of the sites, at most 20), then provincial offices. */
export function siteUnit(i: number, sites: number): Unit {
  const departments = Math.min(DEPARTMENTS.length, Math.max(1, Math.round(sites / 5)))
  if (i < departments) {
    const [vi, en] = DEPARTMENTS[i]!
    return {path: `${MINISTRY.path}/${slug(vi)}`, vi, en, parents: [MINISTRY]}
  }
  const j = i - departments
  const name = PROVINCES[j % PROVINCES.length]!
  const [office, officeVi, officeEn] = OFFICES[Math.floor(j / PROVINCES.length) % OFFICES.length]!
  const city = CITIES.includes(name)
  const province = {path: `${PROVINCES_ROOT.path}/${slug(name)}`, vi: `${city ? 'Thành phố' : 'Tỉnh'} ${name}`, en: `${name} ${city ? 'City' : 'Province'}`}
  return {path: `${province.path}/${office}`, vi: `${officeVi} ${name}`, en: `${officeEn}, ${name}`, parents: [PROVINCES_ROOT, province]}
}
